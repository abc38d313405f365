import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'

vi.mock('../../../api/http.js', async (importOriginal) => ({
  ...(await importOriginal()),
  http: { get: vi.fn(), post: vi.fn(), patch: vi.fn(), delete: vi.fn(), url: vi.fn() },
}))

import { http } from '../../../api/http.js'
import OperatorCultivationView from '../../../views/operator/OperatorCultivationView.vue'
import { fakeHttp } from '../../../components/__tests__/fakeApi.js'
import { facility, page } from '../../../components/__tests__/portalFixtures.js'
import { mountPortal } from '../../../components/__tests__/mountPortal.js'

const programme = {
  id: 2, title: '文化志愿服务骨干培训（第二期）', organiser: '东城区文化志愿者联合会', description: '', audience: 'volunteers', starts_on: '2026-12-13', ends_on: '2026-12-13',
  capacity: 60, enrolled: 0, min_sessions_for_completion: 1, status: 'open', closed_at: null,
  sessions: [{ id: 4, seq: 1, topic: '文化志愿服务规范与礼仪', starts_at: '2026-12-13T06:00:00Z', ends_at: '2026-12-13T08:00:00Z', place: '角楼图书馆' }],
}
const team = { id: 3, name: '景山阅读志愿服务队', operator_id: 1, facility_id: 114, leader_name: '王芳', founded_on: '2026-11-01', description: '', members: 1, verified_hours: '12.0' }
const volunteer = { id: 8, team_id: 3, name: '周阳', phone: '13900000001', joined_on: '2026-11-01', status: 'active', verified_hours: '12.0', recognition: { level: 0, thresholds_hours: [100], next_threshold_hours: 100 } }

function routes(over = {}) {
  return {
    'GET /operators/{operator_id}': { id: 1, legal_name: '北京美后肆时文化发展有限公司' },
    'GET /facilities': page([facility]),
    'GET /trainings': page([programme]),
    'GET /trainings/{programme_id}/enrolments': [],
    'POST /trainings/{programme_id}/enrolments': ({ body }) => ({ id: 30, programme_id: 2, operator_id: 1, status: 'enrolled', sessions_attended: 0, ...body }),
    'GET /volunteer-teams': page([team]),
    'POST /volunteer-teams': ({ body }) => ({ ...team, id: 4, members: 0, verified_hours: '0', ...body }),
    'GET /volunteers': page([volunteer]),
    'POST /volunteer-teams/{team_id}/members': ({ body }) => ({ ...volunteer, id: 9, ...body }),
    ...over,
  }
}

describe('training and volunteers', () => {
  beforeEach(() => vi.clearAllMocks())

  it('enrols one of our people in an open programme, our organisation filled in', async () => {
    const api = fakeHttp(http, routes())
    const w = mountPortal(OperatorCultivationView)
    await flushPromises()
    const card = () => w.find('[data-test=training-2]')
    expect(card().text()).toContain('我们还没有人报名')
    await card().find('[data-test=open-enrol]').trigger('click')
    await card().find('[data-test=enrol-name]').setValue('李雷')
    await card().find('form').trigger('submit')
    await flushPromises()
    expect(api.bodyOf('POST /trainings/{programme_id}/enrolments')[0]).toEqual({ participant_name: '李雷', organisation_name: '北京美后肆时文化发展有限公司' })
    expect(card().find('tbody').text()).toContain('李雷')
  })

  it('lists our teams and members, forms a team and adds a volunteer', async () => {
    const api = fakeHttp(http, routes())
    const w = mountPortal(OperatorCultivationView)
    await flushPromises()
    expect(http.get).toHaveBeenCalledWith('/volunteer-teams', { query: { limit: 100, operator_id: 1 } })
    expect(w.find('[data-test=team-3]').text()).toContain('周阳')
    await w.find('[data-test=open-new-team]').trigger('click')
    await w.find('[data-test=team-name]').setValue('景山非遗讲解队')
    await w.find('[data-test=team-leader]').setValue('赵敏')
    await w.find('form.card').trigger('submit')
    await flushPromises()
    expect(api.bodyOf('POST /volunteer-teams')[0]).toMatchObject({ name: '景山非遗讲解队', leader_name: '赵敏', facility_id: null })
    expect(w.text()).toContain('“景山非遗讲解队”已组建')
    await w.find('[data-test=team-3] [data-test=open-add-volunteer]').trigger('click')
    await w.find('[data-test=team-3] [data-test=volunteer-name]').setValue('吴桐')
    await w.find('[data-test=team-3] [data-test=add-volunteer-form]').trigger('submit')
    await flushPromises()
    expect(api.calls.find((c) => c.key === 'POST /volunteer-teams/{team_id}/members')).toMatchObject({ path: { team_id: 3 }, body: { name: '吴桐', phone: '' } })
  })
})
