import { View } from '@tarojs/components';
import type { PropsWithChildren } from 'react';
import { useElderMode } from '../hooks/use-elder-mode';
import { ConfigProvider } from './nutui';

/** NutUI's variables for 适老化: bigger type, darker secondary text. */
const ELDER_THEME = {
  nutuiFontSizeXxs: '13px',
  nutuiFontSizeXs: '15px',
  nutuiFontSizeS: '16px',
  nutuiFontSizeBase: '18px',
  nutuiFontSizeL: '20px',
  nutuiFontSizeXl: '22px',
  nutuiColorTitle: '#000000',
  nutuiColorText: '#1a1a1a',
  nutuiColorTextHelp: '#333333',
  nutuiColorPrimary: '#0050a8',
};
/** The hospital's blue instead of NutUI's default red, for every component that reads the variables. */
const THEME = {
  nutuiColorPrimary: '#0b6bcb',
  nutuiColorPrimaryStop1: '#0b6bcb',
  nutuiColorPrimaryStop2: '#1e88e5',
  nutuiColorPrimaryLightPressed: '#e6f0fb',
  nutuiColorPrimaryDisabledSpecial: '#9cc3ea',
  nutuiRadioButtonBackground: '#f2f5f9',
  nutuiRadiogroupRadioMargin: '8px',
  nutuiRadiogroupRadioMarginBottom: '8px',
};

/**
 * Every page's root: its own NutUI ConfigProvider (one around the whole app broke H5 page
 * switching) and the elder-mode class that app.css keys its larger sizes on.
 */
export function PageShell({ children, className }: PropsWithChildren<{ className?: string }>) {
  const elder = useElderMode();
  return (
    <ConfigProvider theme={elder ? { ...THEME, ...ELDER_THEME, nutuiColorPrimaryStop1: '#0050a8', nutuiColorPrimaryStop2: '#0050a8' } : THEME}>
      <View className={`page${elder ? ' elder' : ''}${className ? ` ${className}` : ''}`}>{children}</View>
    </ConfigProvider>
  );
}
