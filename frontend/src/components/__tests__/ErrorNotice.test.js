import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { ApiError } from '../../api/http.js'
import AsyncState from '../AsyncState.vue'
import ErrorNotice from '../ErrorNotice.vue'
import { plugins } from './testing.js'

describe('ErrorNotice', () => {
  it('says what went wrong in Chinese, with the field and the request id', () => {
    const error = new ApiError({ status: 422, title: 'Invalid input', errors: [{ field: 'body.seats', message: 'x', code: 'greater_than_equal' }], requestId: 'r-1' })
    const w = mount(ErrorNotice, { props: { error }, global: { plugins: plugins().list } })
    expect(w.text()).toContain('填写的内容有误')
    expect(w.text()).toContain('数值太小')
    expect(w.text()).toContain('r-1')
    expect(w.attributes('role')).toBe('alert')
  })
  it('speaks English when the reader chose it, and shows the server detail', () => {
    const error = new ApiError({ status: 409, title: 'Conflict', detail: 'You already booked this activity.' })
    const w = mount(ErrorNotice, { props: { error }, global: { plugins: plugins({ locale: 'en' }).list } })
    expect(w.text()).toContain('Conflict: someone changed this already')
    expect(w.text()).toContain('You already booked this activity.')
  })
  it('names a locked sign-in and a disabled account by their problem type, with the wait', () => {
    const locked = new ApiError({ status: 429, title: 'Too many requests', type: 'https://culture-ops.example/problems/sign-in-locked', retryAfter: 240 })
    expect(locked.slug).toBe('sign-in-locked')
    let w = mount(ErrorNotice, { props: { error: locked }, global: { plugins: plugins().list } })
    expect(w.text()).toContain('该账号已暂时锁定，请约 4 分钟后再试')
    const disabled = new ApiError({ status: 403, title: 'Forbidden', type: '/problems/account-disabled' })
    w = mount(ErrorNotice, { props: { error: disabled }, global: { plugins: plugins({ locale: 'en' }).list } })
    expect(w.text()).toContain('This account has been disabled by the culture bureau')
  })
  it('explains the password policy’s refusals in the reader’s language', () => {
    const error = new ApiError({ status: 422, title: 'Invalid input', errors: [{ field: 'password', message: 'This password is one of the most commonly used passwords', code: 'common-password' }] })
    const w = mount(ErrorNotice, { props: { error }, global: { plugins: plugins().list } })
    expect(w.text()).toContain('这是最常见的密码之一')
  })
  it('names a network failure as such', () => {
    const w = mount(ErrorNotice, { props: { error: new ApiError({ kind: 'network' }) }, global: { plugins: plugins().list } })
    expect(w.text()).toContain('网络连接失败')
  })
})

describe('AsyncState', () => {
  const mountState = (props) => mount(AsyncState, { props, slots: { default: '<p class="content">ok</p>' }, global: { plugins: plugins().list } })
  it('shows loading, then error, then empty, then the content', () => {
    expect(mountState({ loading: true }).text()).toContain('正在加载')
    expect(mountState({ error: new ApiError({ status: 503 }) }).text()).toContain('服务暂时不可用')
    expect(mountState({ empty: true, emptyText: '没有活动' }).text()).toContain('没有活动')
    expect(mountState({}).find('.content').exists()).toBe(true)
  })
})
