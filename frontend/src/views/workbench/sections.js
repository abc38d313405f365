// The workbench's sections (route name, locale key), in the order of 选—用—管—培.
export const SECTIONS = [
  ['workbench-selections', 'selections'],
  ['workbench-contracts', 'contracts'],
  ['workbench-inspections', 'inspections'],
  ['workbench-evaluations', 'evaluations'],
  ['workbench-fees', 'fees'],
  ['workbench-services', 'services'],
  ['workbench-reports', 'reports'],
  ['workbench-moderation', 'moderation'],
  ['workbench-accounts', 'accounts'],
  ['workbench-audit', 'audit'],
]
