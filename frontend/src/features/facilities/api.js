import { http } from '../../api/http.js'

/** Facilities with filters: q, kind, level, subdistrict, community, status, accessibility[], open_now, near "lat,lon", radius_m. */
export const listFacilities = (query = {}) => http.get('/facilities', { query: { limit: 50, ...query } })

export const facilitiesGeoJson = (query = {}) => http.get('/facilities.geojson', { query })

export const getFacility = (id) => http.get('/facilities/{facility_id}', { path: { facility_id: id } })

export const openingHours = (id, days = 7) =>
  http.get('/facilities/{facility_id}/opening-hours', { path: { facility_id: id }, query: { days } })

export const facilityServices = (id) => http.get('/facilities/{facility_id}/services', { path: { facility_id: id } })

export const listSubdistricts = () => http.get('/subdistricts')

export const listCommunities = (subdistrict) => http.get('/communities', { query: { subdistrict } })
