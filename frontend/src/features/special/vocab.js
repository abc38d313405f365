export const GROUPS = ['elderly', 'minor', 'disabled', 'low_income']
export const KINDS = ['appointment', 'home_delivery']
export const STATUS_CLASS = {
  submitted: 'badge-plain',
  assigned: 'badge-warn',
  scheduled: 'badge-warn',
  done: 'badge-ok',
  confirmed: 'badge-ok',
  rejected: 'badge-bad',
  cancelled: 'badge-plain',
}
