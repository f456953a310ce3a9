/// <reference types="@tarojs/taro" />

declare module '*.css';
declare module '*.png';

declare namespace NodeJS {
  interface ProcessEnv {
    NODE_ENV: 'development' | 'production';
    TARO_ENV: 'weapp' | 'h5';
    /** Which app this build is (config/index.ts). */
    TARO_APP_ROLE: 'patient' | 'doctor' | 'admin';
    /** API base URL, e.g. `/api/v1` on H5 or `https://…/api/v1` for the mini-program. */
    TARO_APP_API_BASE_URL: string;
    /** 'true' where the API has the development SMS inbox. */
    TARO_APP_DEV_SMS: string;
  }
}
