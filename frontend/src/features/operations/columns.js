// Columns of the workbench's record tables. `t` is vue-i18n's; values the API gives in Chinese
// (grade_zh, names) are shown as they are.
import { formatDate, formatDateTime, formatFee } from '../../locales/format.js'

const d = (locale) => (v) => (v ? formatDate(`${String(v).slice(0, 10)}T12:00:00+08:00`, locale) : '—')
const ts = (locale) => (v) => (v ? formatDateTime(v, locale) : '—')
const st = (t, group) => (v) => (t(`ops.status.${v}`) !== `ops.status.${v}` ? t(`ops.status.${v}`) : v)

export function columnsFor(kind, t, locale) {
  const day = d(locale)
  const time = ts(locale)
  const status = st(t)
  switch (kind) {
    case 'selections':
      return [
        { key: 'reference', label: t('ops.reference') },
        { key: 'title', label: t('workbench.name') },
        { key: 'method', label: t('ops.method'), format: (r) => t(`ops.methods.${r.method}`) },
        { key: 'budget_fen', label: t('ops.budget'), num: true, format: (r) => formatFee(r.budget_fen, '0'), export: (r) => r.budget_fen / 100 },
        { key: 'bids_received', label: t('ops.bids'), num: true },
        { key: 'status', label: t('workbench.status'), format: (r) => status(r.status) },
        { key: 'bids_close_at', label: t('ops.bidsClose'), format: (r) => time(r.bids_close_at) },
      ]
    case 'contracts':
      return [
        { key: 'reference', label: t('ops.reference') },
        { key: 'title', label: t('workbench.name') },
        { key: 'operator_name', label: t('facility.operator') },
        { key: 'starts_on', label: t('ops.from'), format: (r) => day(r.starts_on) },
        { key: 'ends_on', label: t('ops.to'), format: (r) => day(r.ends_on) },
        { key: 'amount_fen', label: t('ops.amount'), num: true, format: (r) => formatFee(r.amount_fen, '0'), export: (r) => r.amount_fen / 100 },
        { key: 'status', label: t('workbench.status'), format: (r) => t(`contracts.status.${r.status}`) },
      ]
    case 'reports':
      return [
        { key: 'month', label: t('dashboard.month') },
        { key: 'contract_id', label: t('ops.contract'), num: true },
        { key: 'operator_id', label: t('facility.operator'), num: true },
        { key: 'flagged', label: t('ops.flagged'), format: (r) => (r.flagged ? t('ops.discrepancy') : t('common.no')) },
        { key: 'filed_at', label: t('ops.filed'), format: (r) => time(r.filed_at) },
      ]
    case 'inspections':
      return [
        { key: 'inspected_on', label: t('ops.date'), format: (r) => day(r.inspected_on) },
        { key: 'facility_id', label: t('ops.facility'), num: true },
        { key: 'operator_id', label: t('facility.operator'), num: true },
        { key: 'announced', label: t('ops.announced'), format: (r) => (r.announced ? t('common.yes') : t('common.no')) },
        { key: 'score', label: t('ops.score'), num: true },
        { key: 'summary', label: t('ops.summary') },
      ]
    case 'rectifications':
      return [
        { key: 'finding', label: t('ops.finding') },
        { key: 'required_action', label: t('ops.action') },
        { key: 'deadline_on', label: t('ops.deadline'), format: (r) => day(r.deadline_on) },
        { key: 'status', label: t('workbench.status'), format: (r) => status(r.status) },
        { key: 'overdue', label: t('cases.overdue'), format: (r) => (r.overdue ? t('cases.overdue') : '') },
      ]
    case 'evaluations':
      return [
        { key: 'period', label: t('ops.period') },
        { key: 'contract_id', label: t('ops.contract'), num: true },
        { key: 'operator_id', label: t('facility.operator'), num: true },
        { key: 'score', label: t('ops.score'), num: true, format: (r) => r.score ?? r.provisional_score ?? '—' },
        { key: 'grade_zh', label: t('ops.grade'), format: (r) => r.grade_zh || r.grade || '—' },
        { key: 'status', label: t('workbench.status'), format: (r) => status(r.status) },
        { key: 'missing', label: t('ops.missing'), format: (r) => (r.missing_inputs || []).join(', '), export: (r) => (r.missing_inputs || []).join(', ') },
      ]
    case 'fees':
      return [
        { key: 'service_name', label: t('facility.services') },
        { key: 'facility_id', label: t('ops.facility'), num: true },
        { key: 'market_price_fen', label: t('ops.market'), num: true, format: (r) => formatFee(r.market_price_fen, '0'), export: (r) => r.market_price_fen / 100 },
        { key: 'proposed_fee_fen', label: t('ops.proposed'), num: true, format: (r) => formatFee(r.proposed_fee_fen, '0'), export: (r) => r.proposed_fee_fen / 100 },
        { key: 'status', label: t('workbench.status'), format: (r) => status(r.status) },
        { key: 'decision_reason', label: t('workbench.reason'), format: (r) => r.decision_reason || '' },
      ]
    case 'audit':
      return [
        { key: 'at', label: t('ops.date'), format: (r) => time(r.at) },
        { key: 'entity_type', label: t('ops.entity'), format: (r) => `${r.entity_type} #${r.entity_id}`, export: (r) => `${r.entity_type} #${r.entity_id}` },
        { key: 'action', label: t('ops.auditAction') },
        { key: 'to_state', label: t('workbench.status'), format: (r) => [r.from_state, r.to_state].filter(Boolean).join(' → ') },
        { key: 'actor_name', label: t('ops.actor'), format: (r) => r.actor_name || r.actor },
        { key: 'reason', label: t('workbench.reason'), format: (r) => r.reason || '' },
      ]
    default:
      return []
  }
}
