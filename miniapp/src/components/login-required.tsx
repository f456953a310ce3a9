import Taro from '@tarojs/taro';
import { View } from '@tarojs/components';
import { EmptyMark } from './async-view';
import { Button, Empty } from './nutui';

/** Shown in place of a page's content to a visitor who has not signed in. */
export function LoginRequired({ reason }: { reason: string }) {
  return (
    <View className="state state-login">
      <Empty status="empty" imageSize={72} image={<EmptyMark />} title="请先登录" description={reason}>
        <Button type="primary" onClick={() => void Taro.navigateTo({ url: '/pages/login/index' })}>
          登录 / 注册
        </Button>
      </Empty>
    </View>
  );
}
