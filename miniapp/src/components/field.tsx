import { View } from '@tarojs/components';
import type { PropsWithChildren } from 'react';

export function Field({ label, error, children }: PropsWithChildren<{ label: string; error?: string | null }>) {
  return (
    <View className="field">
      <View className="field-label">{label}</View>
      {children}
      {error && <View className="field-error">{error}</View>}
    </View>
  );
}
