-- Who cancelled, as the patient is told (医生停诊 / 医院停诊 / 医院取消): appointments cancelled by a
-- 停诊 are marked, and a 停诊 the doctor asked for is the doctor's (cancelled_by), not the approving
-- admin's. The backfill recognises a past 停诊 by its session being suspended with the appointment's
-- reason, and a doctor's approved request by its reason; both UPDATEs change nothing when run again.
ALTER TABLE appointment ADD COLUMN cancelled_by_suspension TINYINT(1) NOT NULL DEFAULT 0;
UPDATE appointment SET cancelled_by_suspension = 1
  WHERE status = 'cancelled' AND cancelled_by IN ('doctor', 'admin') AND cancelled_by_suspension = 0
    AND EXISTS (SELECT 1 FROM clinic_session cs WHERE cs.id = appointment.session_id AND cs.status = 'suspended' AND cs.suspend_reason = appointment.cancel_reason);
UPDATE appointment SET cancelled_by = 'doctor'
  WHERE cancelled_by_suspension = 1 AND cancelled_by = 'admin'
    AND EXISTS (SELECT 1 FROM suspension_request r WHERE r.session_id = appointment.session_id AND r.status = 'approved' AND r.reason = appointment.cancel_reason);
