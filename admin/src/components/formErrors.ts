/**
 * A refused form submission: the server's Chinese message beside the field it concerns (by error
 * code), else as a message at the top. Returns false so ProForm keeps the form open.
 */
import type { FormInstance } from 'antd';
import { message } from 'antd';
import { ApiError } from '../api/client';

export function formErrorHandler(form: FormInstance, error: unknown, fieldOf: Record<string, string> = {}): false {
  const text = error instanceof Error ? error.message : '保存失败，请稍后重试';
  const field = error instanceof ApiError ? fieldOf[error.code] : undefined;
  if (field) form.setFields([{ name: field, errors: [text] }]);
  else void message.error(text);
  return false;
}
