import { View } from '@tarojs/components';
import { AsyncView } from '../../../components/async-view';
import { PageShell } from '../../../components/page-shell';
import { useAsync } from '../../../hooks/use-async';
import { useSession } from '../../../hooks/use-session';
import { idParam } from '../../../utils/navigation';
import { DoctorLoginRequired } from '../../components/doctor-login-required';
import { fetchVisitPatient } from '../../services/queue';

const BLOOD: Record<string, string> = { A: 'A 型', B: 'B 型', AB: 'AB 型', O: 'O 型', unknown: '未知' };
const RH: Record<string, string> = { positive: 'Rh 阳性', negative: 'Rh 阴性', unknown: 'Rh 未知' };

/** 患者信息: the 就诊人 in front of the doctor (masked ID) and the health record; the server audits each read. */
export default function VisitPatientPage() {
  const session = useSession();
  const id = idParam('id') ?? 0;
  const { state, reload } = useAsync(() => (session ? fetchVisitPatient(id) : Promise.resolve(null)), [session?.account.id, id]);
  if (!session) {
    return (
      <PageShell>
        <DoctorLoginRequired />
      </PageShell>
    );
  }
  return (
    <PageShell>
      <AsyncView state={state} onRetry={() => void reload()}>
        {(p) =>
          p && (
            <View>
              <View className="section">
                <View className="row">
                  <View className="strong">
                    {p.queueNumber} 号 · {p.realName}
                  </View>
                  <View className="muted">
                    {p.gender === 'male' ? '男' : '女'} · {p.age} 岁
                  </View>
                </View>
                <View className="muted">
                  {p.idTypeLabel} {p.idNumberMasked}
                </View>
              </View>
              <View className="section">
                <View className="section-title">健康档案</View>
                <View className="kv">血型：{BLOOD[p.healthRecord.bloodType]}，{RH[p.healthRecord.rhFactor]}</View>
                <View className="kv">过敏史：{p.healthRecord.allergies || '无'}</View>
                <View className="kv">慢性病：{p.healthRecord.chronicConditions || '无'}</View>
                <View className="kv">长期用药：{p.healthRecord.medications || '无'}</View>
                <View className="kv">备注：{p.healthRecord.notes || '无'}</View>
              </View>
              <View className="doctor-hint muted">仅就诊期间可查看；每次查看均记录在审计日志中。</View>
            </View>
          )
        }
      </AsyncView>
    </PageShell>
  );
}
