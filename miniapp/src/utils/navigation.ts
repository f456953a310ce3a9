import Taro from '@tarojs/taro';

/** A page's query parameter as a positive integer id, or null. */
export function idParam(name: string): number | null {
  const value = Taro.getCurrentInstance().router?.params[name];
  const id = Number(value);
  return Number.isInteger(id) && id > 0 ? id : null;
}

export function stringParam(name: string): string {
  const value = Taro.getCurrentInstance().router?.params[name];
  return value ? decodeURIComponent(value) : '';
}

export function go(url: string): void {
  void Taro.navigateTo({ url });
}
