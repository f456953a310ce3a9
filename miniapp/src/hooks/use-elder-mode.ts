/**
 * 适老化: larger text and higher contrast, switched on the "我的" page and remembered on the
 * device. Every page shell reads it, so the switch takes effect everywhere at once.
 */
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';

const STORAGE_KEY = 'bx87h9.elderMode';
const listeners = new Set<(on: boolean) => void>();

export function isElderMode(): boolean {
  return Taro.getStorageSync(STORAGE_KEY) === true;
}

export function setElderMode(on: boolean): void {
  Taro.setStorageSync(STORAGE_KEY, on);
  listeners.forEach((listener) => listener(on));
}

export function useElderMode(): boolean {
  const [on, setOn] = useState(isElderMode);
  useEffect(() => {
    listeners.add(setOn);
    setOn(isElderMode());
    return () => {
      listeners.delete(setOn);
    };
  }, []);
  return on;
}
