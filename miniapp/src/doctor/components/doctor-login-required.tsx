import Taro from '@tarojs/taro';
import { View } from '@tarojs/components';
import { EmptyMark } from '../../components/async-view';
import { Button, Empty } from '../../components/nutui';

/** In place of a page's content before the doctor signs in (accounts come from the hospital's admins). */
export function DoctorLoginRequired() {
  return (
    <View className="state state-login">
      <Empty status="empty" imageSize={72} image={<EmptyMark />} title="请先登录" description="医生账号由医院管理员开通">
        <Button type="primary" onClick={() => void Taro.navigateTo({ url: '/pages/login/index' })}>
          登录
        </Button>
      </Empty>
    </View>
  );
}
