/**
 * The NutUI React Taro components the app uses, each imported from its own module with its own
 * stylesheet, so the mini-program's main package carries only these (not the whole library's
 * 230 KB of CSS). None of them draws NutUI's icon font: its icons are <i> elements, which the
 * mini-program's templates do not render (tests/miniapp/weapp-pages.test.ts checks for that).
 */
import { Text } from '@tarojs/components';
import type { ComponentProps } from 'react';
import NutInput from '@nutui/nutui-react-taro/dist/es/packages/input/index';
import '@nutui/nutui-react-taro/dist/es/packages/configprovider/style/css';
import '@nutui/nutui-react-taro/dist/es/packages/button/style/css';
import '@nutui/nutui-react-taro/dist/es/packages/cell/style/css';
import '@nutui/nutui-react-taro/dist/es/packages/cellgroup/style/css';
import '@nutui/nutui-react-taro/dist/es/packages/tabs/style/css';
import '@nutui/nutui-react-taro/dist/es/packages/tabpane/style/css';
import '@nutui/nutui-react-taro/dist/es/packages/input/style/css';
import '@nutui/nutui-react-taro/dist/es/packages/textarea/style/css';
import '@nutui/nutui-react-taro/dist/es/packages/empty/style/css';
import '@nutui/nutui-react-taro/dist/es/packages/skeleton/style/css';
import '@nutui/nutui-react-taro/dist/es/packages/switch/style/css';
import '@nutui/nutui-react-taro/dist/es/packages/radio/style/css';
import '@nutui/nutui-react-taro/dist/es/packages/radiogroup/style/css';

export { default as ConfigProvider } from '@nutui/nutui-react-taro/dist/es/packages/configprovider/index';
export { default as Button } from '@nutui/nutui-react-taro/dist/es/packages/button/index';
export { default as Cell } from '@nutui/nutui-react-taro/dist/es/packages/cell/index';
export { default as CellGroup } from '@nutui/nutui-react-taro/dist/es/packages/cellgroup/index';
export { default as Tabs } from '@nutui/nutui-react-taro/dist/es/packages/tabs/index';
export { default as TabPane } from '@nutui/nutui-react-taro/dist/es/packages/tabpane/index';
export { default as TextArea } from '@nutui/nutui-react-taro/dist/es/packages/textarea/index';
export { default as Empty } from '@nutui/nutui-react-taro/dist/es/packages/empty/index';
export { default as Skeleton } from '@nutui/nutui-react-taro/dist/es/packages/skeleton/index';
export { default as Switch } from '@nutui/nutui-react-taro/dist/es/packages/switch/index';
export { default as Radio } from '@nutui/nutui-react-taro/dist/es/packages/radio/index';
export { default as RadioGroup } from '@nutui/nutui-react-taro/dist/es/packages/radiogroup/index';

/** NutUI's Input always renders its (hidden) clear icon: give it a glyph instead of the icon font. */
export function Input(props: ComponentProps<typeof NutInput>) {
  return <NutInput clearIcon={<Text>×</Text>} {...props} />;
}
