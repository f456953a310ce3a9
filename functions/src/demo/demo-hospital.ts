/**
 * Demo data for a fresh local database: the departments of a municipal general hospital, their
 * doctors with weekly clinic templates, the default booking rules, and one admin, doctor and
 * patient account whose credentials `npm start` prints. Loaded only into an empty database.
 */
import { createStaffAccount } from '../auth/staff-accounts.js';
import { hashPassword } from '../auth/password.js';
import { inTransaction } from '../db/transaction.js';
import type { AppDeps } from '../deps.js';

export const DEMO_ACCOUNTS = {
  admin: { phone: '13800000001', password: 'Admin2026', role: 'admin' as const, displayName: '系统管理员' },
  doctor: { phone: '13800000002', password: 'Doctor2026', role: 'doctor' as const },
  patient: { phone: '13800000003', password: 'Patient2026', role: 'patient' as const, displayName: '王小明' },
};

type Title = 'chief' | 'associate_chief' | 'attending' | 'resident';
const FEE_BY_TITLE: Record<Title, number> = { chief: 3000, associate_chief: 2000, attending: 1000, resident: 500 };

interface DemoDepartment {
  code: string;
  name: string;
  location: string;
  intro: string;
  children?: DemoDepartment[];
  doctors?: Array<[name: string, title: Title, specialty: string]>;
}

const DEPARTMENTS: DemoDepartment[] = [
  {
    code: 'NK', name: '内科', location: '门诊楼二楼', intro: '内科各专业门诊。',
    children: [
      { code: 'XXGNK', name: '心血管内科', location: '门诊楼二楼 A区', intro: '高血压、冠心病、心律失常、心力衰竭的诊治。',
        doctors: [['张建国', 'chief', '冠心病介入治疗、复杂心律失常'], ['李秀兰', 'attending', '高血压、血脂异常']] },
      { code: 'HXNK', name: '呼吸与危重症医学科', location: '门诊楼二楼 B区', intro: '慢阻肺、哮喘、肺部感染、肺结节。',
        doctors: [['王志强', 'associate_chief', '慢性阻塞性肺疾病、支气管哮喘'], ['赵丽娟', 'attending', '肺部感染、肺结节随访']] },
      { code: 'XHNK', name: '消化内科', location: '门诊楼二楼 C区', intro: '胃肠、肝胆胰疾病，消化内镜诊疗。',
        doctors: [['刘德华', 'chief', '消化内镜、早期胃癌筛查'], ['陈静', 'resident', '胃炎、消化性溃疡']] },
      { code: 'SJNK', name: '神经内科', location: '门诊楼三楼 A区', intro: '脑血管病、头痛、癫痫、帕金森病。',
        doctors: [['杨国平', 'associate_chief', '脑卒中防治、眩晕'], ['周敏', 'attending', '头痛、睡眠障碍']] },
      { code: 'NFMK', name: '内分泌科', location: '门诊楼三楼 B区', intro: '糖尿病、甲状腺疾病、骨质疏松。',
        doctors: [['吴海燕', 'chief', '糖尿病及并发症、甲状腺疾病']] },
      { code: 'SNK', name: '肾内科', location: '门诊楼三楼 C区', intro: '慢性肾病、肾炎、透析评估。',
        doctors: [['徐立新', 'associate_chief', '慢性肾脏病、IgA 肾病']] },
    ],
  },
  {
    code: 'WK', name: '外科', location: '门诊楼四楼', intro: '外科各专业门诊。',
    children: [
      { code: 'PTWK', name: '普通外科', location: '门诊楼四楼 A区', intro: '甲状腺、乳腺、胃肠、肝胆外科。',
        doctors: [['孙卫东', 'chief', '腹腔镜微创手术、胆囊结石'], ['马俊', 'attending', '疝气、甲状腺结节']] },
      { code: 'SJWK', name: '神经外科', location: '门诊楼四楼 B区', intro: '颅脑外伤、脑肿瘤、脊髓疾病。',
        doctors: [['朱宏伟', 'associate_chief', '颅脑损伤、脑出血']] },
      { code: 'MNWK', name: '泌尿外科', location: '门诊楼四楼 C区', intro: '泌尿系结石、前列腺疾病。',
        doctors: [['胡振华', 'attending', '泌尿系结石微创治疗、前列腺增生']] },
    ],
  },
  { code: 'GK', name: '骨科', location: '门诊楼一楼 东区', intro: '创伤骨科、关节外科、脊柱外科。',
    doctors: [['郭永强', 'chief', '关节置换、运动损伤'], ['林晓峰', 'attending', '骨折、颈腰椎病']] },
  {
    code: 'FCK', name: '妇产科', location: '门诊楼五楼', intro: '妇科与产科门诊。',
    children: [
      { code: 'FK', name: '妇科', location: '门诊楼五楼 A区', intro: '妇科炎症、子宫肌瘤、宫颈疾病筛查。',
        doctors: [['何玉梅', 'associate_chief', '宫颈疾病、妇科微创']] },
      { code: 'CK', name: '产科', location: '门诊楼五楼 B区', intro: '产前检查、高危妊娠管理。',
        doctors: [['高雅琴', 'attending', '产前检查、妊娠期糖尿病']] },
    ],
  },
  { code: 'EK', name: '儿科', location: '门诊楼一楼 西区', intro: '儿童常见病、呼吸道感染、生长发育评估。',
    doctors: [['罗春燕', 'associate_chief', '小儿呼吸系统疾病、哮喘'], ['梁晨', 'resident', '儿童常见病、生长发育']] },
  { code: 'YK', name: '眼科', location: '门诊楼六楼 A区', intro: '白内障、青光眼、屈光不正。',
    doctors: [['宋文博', 'chief', '白内障超声乳化、青光眼']] },
  { code: 'EBHK', name: '耳鼻咽喉科', location: '门诊楼六楼 B区', intro: '鼻炎、鼻窦炎、中耳炎、咽喉疾病。',
    doctors: [['郑海涛', 'attending', '过敏性鼻炎、慢性鼻窦炎']] },
  { code: 'KQK', name: '口腔科', location: '门诊楼六楼 C区', intro: '牙体牙髓、口腔修复、儿童口腔。',
    doctors: [['谢丽华', 'attending', '根管治疗、口腔修复']] },
  { code: 'PFK', name: '皮肤科', location: '门诊楼七楼 A区', intro: '湿疹、荨麻疹、痤疮、银屑病。',
    doctors: [['韩冬梅', 'associate_chief', '湿疹皮炎、银屑病']] },
  { code: 'ZYK', name: '中医科', location: '门诊楼七楼 B区', intro: '中医内科调理、针灸推拿。',
    doctors: [['唐守仁', 'chief', '脾胃病中医调理、失眠'], ['冯秀芝', 'attending', '针灸、颈肩腰腿痛']] },
  { code: 'KFYXK', name: '康复医学科', location: '综合楼一楼', intro: '脑卒中后康复、骨关节术后康复。',
    doctors: [['董立军', 'attending', '神经康复、运动康复']] },
];

/** Weekly pattern per doctor: two or three half-days, chosen by the doctor's index. */
function templatesFor(index: number, fee: number) {
  const weekdays = [1 + (index % 5), 1 + ((index + 2) % 5)];
  const morning = { period: 'morning' as const, start_time: '08:00:00', end_time: '11:30:00' };
  const afternoon = { period: 'afternoon' as const, start_time: '14:30:00', end_time: '17:30:00' };
  const rows = [
    { weekday: weekdays[0]!, ...morning },
    { weekday: weekdays[1]!, ...afternoon },
    ...(index % 3 === 0 ? [{ weekday: 6, ...morning }] : []),
  ];
  return rows.map((r) => ({ ...r, slot_minutes: 30, capacity_per_slot: 3 + (index % 3), fee_fen: fee }));
}

const DEMO_PASSWORD_COST = { N: 2 ** 12, r: 8, p: 1 };

export async function isDatabaseEmpty(deps: AppDeps): Promise<boolean> {
  const row = await deps.db.selectFrom('department').select('id').limit(1).executeTakeFirst();
  return !row;
}

export async function loadDemoHospital(deps: AppDeps): Promise<{ departments: number; doctors: number }> {
  const now = deps.clock.now();
  let doctorIndex = 0;
  let departments = 0;
  // Every demo password is written in this file (and the README), so the full scrypt cost would
  // protect nothing and would cost seconds per doctor; a login stores the hash again at the
  // configured cost (auth/password.ts needsRehash).
  const publicPasswords: AppDeps = { ...deps, config: { ...deps.config, passwordCost: DEMO_PASSWORD_COST } };
  await createStaffAccount(publicPasswords, 'system', DEMO_ACCOUNTS.admin);
  await inTransaction(deps.db, async (trx) => {
    await trx
      .insertInto('booking_rule')
      .values({
        department_id: null,
        days_ahead: 7,
        release_time: '07:30:00',
        cancel_cutoff_minutes: 120,
        payment_hold_minutes: 15,
        max_per_profile_per_day: 2,
        max_per_profile_per_department_per_day: 1,
        max_profiles_per_account: 5,
        no_show_threshold: 3,
        no_show_window_days: 90,
        no_show_ban_days: 30,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const insertDepartment = async (dep: DemoDepartment, parentId: number | null, sort: number) => {
      const inserted = await trx
        .insertInto('department')
        .values({ parent_id: parentId, code: dep.code, name: dep.name, intro: dep.intro, location: dep.location, sort_order: sort, created_at: now, updated_at: now })
        .executeTakeFirstOrThrow();
      departments += 1;
      const id = Number(inserted.insertId);
      for (const [i, child] of (dep.children ?? []).entries()) await insertDepartment(child, id, i);
      for (const [i, [name, title, specialty]] of (dep.doctors ?? []).entries()) {
        const first = doctorIndex === 0;
        const phone = first ? DEMO_ACCOUNTS.doctor.phone : `1370000${String(doctorIndex).padStart(4, '0')}`;
        const user = await createStaffAccount(
          publicPasswords,
          'system',
          { phone, password: first ? DEMO_ACCOUNTS.doctor.password : `Doctor${doctorIndex}x2026`, role: 'doctor', displayName: name },
          undefined,
          trx,
        );
        const fee = FEE_BY_TITLE[title];
        const doctor = await trx
          .insertInto('doctor')
          .values({
            user_id: user.id,
            department_id: id,
            name,
            title,
            specialty,
            intro: `${name}，${dep.name}${{ chief: '主任医师', associate_chief: '副主任医师', attending: '主治医师', resident: '住院医师' }[title]}，擅长${specialty}。`,
            default_fee_fen: fee,
            sort_order: i,
            // 诊室: where a called patient is sent ("请到 心血管内科 1 诊室 就诊").
            room: `${i + 1} 诊室`,
            created_at: now,
            updated_at: now,
          })
          .executeTakeFirstOrThrow();
        await trx
          .insertInto('schedule_template')
          .values(templatesFor(doctorIndex, fee).map((t) => ({ ...t, doctor_id: Number(doctor.insertId), created_at: now, updated_at: now })))
          .execute();
        doctorIndex += 1;
      }
    };
    for (const [i, dep] of DEPARTMENTS.entries()) await insertDepartment(dep, null, i);
    await trx
      .insertInto('user_account')
      .values({
        phone: DEMO_ACCOUNTS.patient.phone,
        password_hash: await hashPassword(DEMO_ACCOUNTS.patient.password, DEMO_PASSWORD_COST),
        role: 'patient',
        display_name: DEMO_ACCOUNTS.patient.displayName,
        created_at: now,
        updated_at: now,
      })
      .execute();
  });
  return { departments, doctors: doctorIndex };
}
