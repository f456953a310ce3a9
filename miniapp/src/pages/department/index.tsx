import { View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { AsyncView } from '../../components/async-view';
import { DoctorCardView } from '../../components/doctor-card';
import { PageShell } from '../../components/page-shell';
import { useAsync } from '../../hooks/use-async';
import { fetchDepartment, fetchDoctors } from '../../services/catalogue';
import { go, idParam, stringParam } from '../../utils/navigation';

/** A department's doctors (?id=) or a doctor search (?q=). */
export default function DepartmentDoctors() {
  const departmentId = idParam('id');
  const q = stringParam('q');
  const { state, reload } = useAsync(
    async () => {
      const [department, doctors] = await Promise.all([
        departmentId ? fetchDepartment(departmentId) : Promise.resolve(null),
        fetchDoctors(departmentId ? { departmentId } : { q }),
      ]);
      void Taro.setNavigationBarTitle({ title: department ? department.name : `搜索：${q}` });
      return { department, doctors };
    },
    [departmentId, q],
    { reloadOnShow: true },
  );

  return (
    <PageShell>
      <AsyncView
        state={state}
        onRetry={() => void reload()}
        isEmpty={(data) => data.doctors.length === 0}
        emptyText={departmentId ? '该科室暂无出诊医生' : `没有找到与“${q}”相关的医生`}
      >
        {({ department, doctors }) => (
          <View>
            {department && (
              <View className="section">
                <View className="section-title">{department.name}</View>
                {department.location && <View className="muted">就诊地点：{department.location}</View>}
                {department.intro && <View className="muted">{department.intro}</View>}
              </View>
            )}
            {doctors.map((doctor) => (
              <DoctorCardView key={doctor.id} doctor={doctor} onClick={() => go(`/pages/doctor/index?id=${doctor.id}`)} />
            ))}
          </View>
        )}
      </AsyncView>
    </PageShell>
  );
}
