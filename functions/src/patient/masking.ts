/** A patient's name as staff screens show it: masked, like the phone (auth/phone.ts) and the ID number (id-document.ts). */

/** 张三丰 → 张*丰, 李四 → 李*: a colleague on the phone can confirm it; a leak does not name anyone. */
export function maskName(name: string): string {
  const chars = Array.from(name);
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars.at(-1)}`;
}
