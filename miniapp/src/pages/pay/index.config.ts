export default definePageConfig({ navigationBarTitleText: '支付挂号费' });
