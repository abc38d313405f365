export const CATEGORIES = ['reading', 'lecture', 'performance', 'exhibition', 'training', 'film', 'heritage', 'festival', 'sports', 'children', 'volunteer', 'other']
export const TARGET_GROUPS = ['all', 'children', 'teenagers', 'elderly', 'disabled', 'low_income', 'families', 'migrant_workers']
