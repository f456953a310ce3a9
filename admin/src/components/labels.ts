/** Chinese labels of the API's enums, and money in 分 shown as 元. */
export const TITLE_LABEL = { chief: '主任医师', associate_chief: '副主任医师', attending: '主治医师', resident: '住院医师' } as const;
export const ROLE_LABEL = { patient: '患者', doctor: '医生', admin: '管理员' } as const;
export const PERIOD_LABEL = { morning: '上午', afternoon: '下午', evening: '晚上' } as const;
export const WEEKDAY_LABEL = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'] as const;

export const yuan = (fen: number): string => `¥${(fen / 100).toFixed(2)}`;

export const enumOptions = <K extends string>(labels: Record<K, string>) =>
  (Object.entries(labels) as [K, string][]).map(([value, label]) => ({ value, label }));

/** A readable initial password: 10 characters with letters and digits (the server wants both), no look-alikes. */
export function initialPassword(): string {
  const letters = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ';
  const digits = '23456789';
  const all = letters + digits;
  const random = crypto.getRandomValues(new Uint32Array(10));
  const chars = Array.from(random, (n) => all[n % all.length]!);
  chars[0] = letters[random[0]! % letters.length]!;
  chars[9] = digits[random[9]! % digits.length]!;
  return chars.join('');
}
