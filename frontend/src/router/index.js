// Lazy routes: a resident's first visit loads the home page only; the operator portal and the
// officials' dashboard (with its charts) are separate chunks. `meta.roles` guards a route.
import { createRouter, createWebHistory } from 'vue-router'
import HomeView from '../views/HomeView.vue'
import { guard } from './guards.js'

export const routes = [
  { path: '/', name: 'home', component: HomeView },
  { path: '/facilities/:id(\\d+)', name: 'facility', component: () => import('../views/FacilityView.vue'), props: true },
  { path: '/activities', name: 'activities', component: () => import('../views/ActivitiesView.vue') },
  { path: '/activities/:id(\\d+)', name: 'activity', component: () => import('../views/ActivityView.vue'), props: true },
  { path: '/signin', name: 'signin', component: () => import('../views/SignInView.vue') },
  { path: '/signup', name: 'signup', component: () => import('../views/SignUpView.vue') },
  { path: '/me/bookings', name: 'my-bookings', component: () => import('../views/MyBookingsView.vue'), meta: { roles: ['resident'] } },
  { path: '/me/ratings', name: 'my-ratings', component: () => import('../views/MyRatingsView.vue'), meta: { roles: ['resident'] } },
  { path: '/rate/:type(facility|activity)/:id(\\d+)', name: 'rate', component: () => import('../views/RateView.vue'), props: true, meta: { roles: ['resident'] } },
  { path: '/me/requests', name: 'my-requests', component: () => import('../views/MyRequestsView.vue'), meta: { roles: ['resident'] } },
  { path: '/me/requests/new', name: 'new-request', component: () => import('../views/NewRequestView.vue'), meta: { roles: ['resident'] } },
  { path: '/me/cases', name: 'my-cases', component: () => import('../views/MyCasesView.vue'), meta: { roles: ['resident'] } },
  { path: '/me/cases/new', name: 'new-case', component: () => import('../views/NewCaseView.vue'), meta: { roles: ['resident'] } },
  { path: '/cases/:id(\\d+)', name: 'case', component: () => import('../views/CaseView.vue'), props: true, meta: { roles: ['resident', 'operator', 'official', 'auditor'] } },
  { path: '/demand', name: 'demand', component: () => import('../views/DemandView.vue'), meta: { roles: ['resident'] } },
  { path: '/operator', name: 'operator', component: () => import('../views/operator/OperatorHomeView.vue'), meta: { roles: ['operator'] } },
  { path: '/operator/activities/new', name: 'operator-new-activity', component: () => import('../views/operator/NewActivityView.vue'), meta: { roles: ['operator', 'official'] } },
  { path: '/operator/activities/:id(\\d+)', name: 'operator-activity', component: () => import('../views/operator/ActivityDeskView.vue'), props: true, meta: { roles: ['operator', 'official'] } },
  // Operator portal pages (reports, rectifications, cases, bids, fees, evaluations, ratings, training and volunteers).
  { path: '/operator/reports', name: 'operator-reports', component: () => import('../views/operator/OperatorReportsView.vue'), meta: { roles: ['operator'] } },
  { path: '/operator/rectifications', name: 'operator-rectifications', component: () => import('../views/operator/OperatorRectificationsView.vue'), meta: { roles: ['operator'] } },
  { path: '/operator/cases', name: 'operator-cases', component: () => import('../views/operator/OperatorCasesView.vue'), meta: { roles: ['operator'] } },
  { path: '/operator/selections', name: 'operator-selections', component: () => import('../views/operator/OperatorSelectionsView.vue'), meta: { roles: ['operator'] } },
  { path: '/operator/services', name: 'operator-services', component: () => import('../views/operator/OperatorServicesView.vue'), meta: { roles: ['operator'] } },
  { path: '/operator/fees', name: 'operator-fees', component: () => import('../views/operator/OperatorFeesView.vue'), meta: { roles: ['operator'] } },
  { path: '/operator/evaluations', name: 'operator-evaluations', component: () => import('../views/operator/OperatorEvaluationsView.vue'), meta: { roles: ['operator'] } },
  { path: '/operator/ratings', name: 'operator-ratings', component: () => import('../views/operator/OperatorRatingsView.vue'), meta: { roles: ['operator'] } },
  { path: '/operator/cultivation', name: 'operator-cultivation', component: () => import('../views/operator/OperatorCultivationView.vue'), meta: { roles: ['operator'] } },
  { path: '/dashboard', name: 'dashboard', component: () => import('../views/dashboard/DashboardView.vue'), meta: { roles: ['official', 'auditor'] } },
  { path: '/workbench', name: 'workbench', component: () => import('../views/dashboard/WorkbenchView.vue'), meta: { roles: ['official', 'auditor'] } },
  // The officials' workbench (选—用—管—培): one page per task; auditors read, officials act.
  { path: '/workbench/selections', name: 'workbench-selections', component: () => import('../views/workbench/SelectionsView.vue'), meta: { roles: ['official', 'auditor'] } },
  { path: '/workbench/selections/:id(\\d+)', name: 'workbench-selection', component: () => import('../views/workbench/SelectionView.vue'), props: true, meta: { roles: ['official', 'auditor'] } },
  { path: '/workbench/contracts', name: 'workbench-contracts', component: () => import('../views/workbench/ContractsView.vue'), meta: { roles: ['official', 'auditor'] } },
  { path: '/workbench/contracts/:id(\\d+)', name: 'workbench-contract', component: () => import('../views/workbench/ContractView.vue'), props: true, meta: { roles: ['official', 'auditor'] } },
  { path: '/workbench/inspections', name: 'workbench-inspections', component: () => import('../views/workbench/InspectionsView.vue'), meta: { roles: ['official', 'auditor'] } },
  { path: '/workbench/evaluations', name: 'workbench-evaluations', component: () => import('../views/workbench/EvaluationsView.vue'), meta: { roles: ['official', 'auditor'] } },
  { path: '/workbench/fees', name: 'workbench-fees', component: () => import('../views/workbench/FeesView.vue'), meta: { roles: ['official', 'auditor'] } },
  { path: '/workbench/services', name: 'workbench-services', component: () => import('../views/workbench/ServicesView.vue'), meta: { roles: ['official', 'auditor'] } },
  { path: '/workbench/reports', name: 'workbench-reports', component: () => import('../views/workbench/ReportsView.vue'), meta: { roles: ['official', 'auditor'] } },
  { path: '/workbench/moderation', name: 'workbench-moderation', component: () => import('../views/workbench/ModerationView.vue'), meta: { roles: ['official', 'auditor'] } },
  { path: '/workbench/accounts', name: 'workbench-accounts', component: () => import('../views/workbench/AccountsView.vue'), meta: { roles: ['official', 'auditor'] } },
  { path: '/workbench/audit', name: 'workbench-audit', component: () => import('../views/workbench/AuditLogView.vue'), meta: { roles: ['official', 'auditor'] } },
  { path: '/forbidden', name: 'forbidden', component: () => import('../views/ForbiddenView.vue') },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('../views/NotFoundView.vue') },
]

export function makeRouter(session, history = createWebHistory()) {
  const router = createRouter({
    history,
    routes,
    scrollBehavior: (to, from, saved) => saved || (to.hash ? { el: to.hash } : { top: 0 }),
  })
  router.beforeEach((to) => guard(to, session))
  return router
}
