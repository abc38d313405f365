// KPI targets beside the actuals of the latest evaluation that measured them (绩效指标: target,
// actual, attainment, where the figure came from).
export const KPI_KEYS = [
  'open_hours_per_week',
  'activities_per_month',
  'participants_per_month',
  'special_group_services_per_month',
  'complaint_on_time_percent',
  'min_satisfaction_score',
]

/** The newest evaluation (by period end) of each contract that has KPI figures. */
export function latestByContract(evaluations) {
  const out = {}
  for (const e of evaluations) {
    if (!e.components?.kpi?.items) continue
    const seen = out[e.contract_id]
    if (!seen || String(e.period_end_on) > String(seen.period_end_on)) out[e.contract_id] = e
  }
  return out
}

/** Rows {key, target, actual, attainment, source, short} for a contract and its latest evaluation. */
export function kpiRows(contract, evaluation) {
  const items = evaluation?.components?.kpi?.items || {}
  return KPI_KEYS.filter((k) => contract.kpi_targets?.[k] != null).map((key) => {
    const target = contract.kpi_targets[key]
    const item = items[key]
    const actual = item?.actual != null ? Number(item.actual) : null
    return { key, target, actual, attainment: item?.attainment != null ? Number(item.attainment) : null, source: item?.source || '', short: actual !== null && actual < target }
  })
}
