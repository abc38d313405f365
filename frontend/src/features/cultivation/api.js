// Cultivation (培, operators-api): training programmes and their enrolments, volunteer teams, their
// members and verified service hours.
import { http } from '../../api/http.js'

const page = (query) => ({ query: { limit: 100, ...query } })

// -- training (培训) ---------------------------------------------------------------------------------
export const listTrainings = (query = {}) => http.get('/trainings', page(query))
/** An operator's staff see their own people's enrolments. */
export const listEnrolments = (programmeId) => http.get('/trainings/{programme_id}/enrolments', { path: { programme_id: programmeId } })
/** body: {participant_name, organisation_name} (the operator is always the caller's). */
export const enrol = (programmeId, body) => http.post('/trainings/{programme_id}/enrolments', { path: { programme_id: programmeId }, body })

// -- volunteers (文化志愿者) ---------------------------------------------------------------------------
export const listTeams = (operatorId) => http.get('/volunteer-teams', page({ operator_id: operatorId }))
/** body: {name, facility_id?, leader_name, founded_on, description} */
export const createTeam = (body) => http.post('/volunteer-teams', { body })
export const listVolunteers = (teamId) => http.get('/volunteers', page({ team_id: teamId }))
/** body: {name, phone, joined_on} */
export const addVolunteer = (teamId, body) => http.post('/volunteer-teams/{team_id}/members', { path: { team_id: teamId }, body })
export const serviceRecords = (volunteerId) =>
  http.get('/volunteers/{volunteer_id}/service-records', { path: { volunteer_id: volunteerId } })
/** body: {facility_id, served_on, hours, activity} */
export const recordService = (volunteerId, body) =>
  http.post('/volunteers/{volunteer_id}/service-records', { path: { volunteer_id: volunteerId }, body })
/** body: {decision: 'verified' | 'rejected', reason} */
export const verifyService = (volunteerId, recordId, body) =>
  http.post('/volunteers/{volunteer_id}/service-records/{record_id}/verification', { path: { volunteer_id: volunteerId, record_id: recordId }, body })
