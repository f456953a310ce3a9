export const HOSPITAL = '南阳市第二人民医院';
export const PRODUCT = '预约挂号管理后台';
