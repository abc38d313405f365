export const CASE_STATUS_CLASS = {
  submitted: 'badge-plain',
  accepted: 'badge-plain',
  assigned: 'badge-warn',
  responded: 'badge-ok',
  reopened: 'badge-warn',
  confirmed: 'badge-ok',
  closed: 'badge-plain',
}
