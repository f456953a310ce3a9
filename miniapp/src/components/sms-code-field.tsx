import { View } from '@tarojs/components';
import { useEffect, useState } from 'react';
import { devSmsCode, sendSmsCode, type SmsPurpose } from '../services/auth';
import { isValidPhone } from '../utils/id-number';
import { Field } from './field';
import { Button, Input } from './nutui';

interface Props {
  phone: string;
  purpose: SmsPurpose;
  value: string;
  onChange: (code: string) => void;
  error?: string | null;
}

/**
 * The SMS code input with its send button and resend countdown. Against a development API the
 * code "sent" by the dev SMS provider is shown and filled in, so the journey works locally.
 */
export function SmsCodeField({ phone, purpose, value, onChange, error }: Props) {
  const [wait, setWait] = useState(0);
  const [sending, setSending] = useState(false);
  const [devCode, setDevCode] = useState<string | null>(null);

  useEffect(() => {
    if (wait <= 0) return;
    const timer = setTimeout(() => setWait(wait - 1), 1000);
    return () => clearTimeout(timer);
  }, [wait]);

  const send = async () => {
    if (!isValidPhone(phone) || sending || wait > 0) return;
    setSending(true);
    try {
      const sent = await sendSmsCode(phone, purpose);
      setWait(sent.resendAfterSeconds);
      const code = await devSmsCode(phone);
      setDevCode(code);
      if (code) onChange(code);
    } catch {
      // The toast says why (already registered, too frequent…).
    } finally {
      setSending(false);
    }
  };

  return (
    <>
      <Field label="短信验证码" error={error}>
        <View className="field-row">
          <Input name="code" type="digit" maxLength={6} placeholder="6 位验证码" value={value} onChange={onChange} />
          <Button size="small" type="primary" fill="outline" disabled={!isValidPhone(phone) || wait > 0 || sending} onClick={() => void send()}>
            {wait > 0 ? `${wait} 秒后重发` : '获取验证码'}
          </Button>
        </View>
      </Field>
      {devCode && <View className="dev-hint">开发环境：短信验证码为 {devCode}，已自动填入</View>}
    </>
  );
}
