// Every string a person reads comes from here: Simplified Chinese first, English second.
// Markup names its strings with data-i18n="key" (text), data-i18n-placeholder,
// data-i18n-aria-label and data-i18n-title (attributes); data-i18n-args holds JSON parameters
// for "{name}" placeholders. Switching language re-applies them in place, so a page only
// re-renders what it built from its own data.

export const LANGS = ['zh-CN', 'en'];
const STORAGE_KEY = 'fg_lang';
const DEFAULT_LANG = 'zh-CN';

function storedLang() {
  try {
    const saved = globalThis.localStorage && localStorage.getItem(STORAGE_KEY);
    return LANGS.includes(saved) ? saved : DEFAULT_LANG;
  } catch {
    // Storage can be off (private mode, some in-app browsers): fall back to Chinese.
    return DEFAULT_LANG;
  }
}

let current = storedLang();
const listeners = new Set();

export function getLang() {
  return current;
}

/** Looks a key up in the current language (then Chinese), filling "{name}" from params. */
export function t(key, params) {
  const table = messages[current] || messages[DEFAULT_LANG];
  let s = table[key];
  if (s === undefined) s = messages[DEFAULT_LANG][key];
  if (s === undefined) {
    if (globalThis.console) console.warn('i18n: missing key', key);
    return key;
  }
  if (params) {
    for (const [name, value] of Object.entries(params)) {
      s = s.split(`{${name}}`).join(String(value));
    }
  }
  return s;
}

const ATTRS = [
  ['data-i18n-placeholder', 'placeholder'],
  ['data-i18n-aria-label', 'aria-label'],
  ['data-i18n-title', 'title'],
];

/** Applies the current language to one element's data-i18n* attributes. */
export function translate(node) {
  let args;
  const rawArgs = node.getAttribute('data-i18n-args');
  if (rawArgs) {
    try {
      args = JSON.parse(rawArgs);
    } catch {
      args = undefined;
    }
  }
  const key = node.getAttribute('data-i18n');
  if (key) node.textContent = t(key, args);
  for (const [data, attr] of ATTRS) {
    const k = node.getAttribute(data);
    if (k) node.setAttribute(attr, t(k, args));
  }
}

/** Applies the current language to everything under root (default: the whole document). */
export function applyI18n(root = document) {
  document.documentElement.lang = current;
  const selector = '[data-i18n],[data-i18n-placeholder],[data-i18n-aria-label],[data-i18n-title]';
  if (root.matches && root.matches(selector)) translate(root);
  for (const node of root.querySelectorAll(selector)) translate(node);
}

export function setLang(lang) {
  if (!LANGS.includes(lang) || lang === current) return;
  current = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not saved; the switch still works for this page.
  }
  applyI18n(document);
  for (const fn of listeners) fn(lang);
}

/** Runs fn after every language switch (for text a page computed itself). */
export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

if (globalThis.document) document.documentElement.lang = current;

// ---- the dictionary --------------------------------------------------------------------------
// Keys are grouped by page. Chinese is the source; English follows the same keys. A test
// (tests/browser/static.test.mjs) checks that both languages have every key the pages use.

export const messages = {
  'zh-CN': {
    'a11y.skip': '跳到主要内容',
    'lang.switch': '切换语言',

    'nav.label': '主导航',
    'nav.home': '首页',
    'nav.account': '我的账户',
    'nav.orgs': '我的组织',
    'nav.verify': '审核队列',
    'nav.login': '登录',
    'nav.register': '注册',
    'nav.logout': '退出',

    'footer.tagline': '农源直供 · 原产地、安全可追溯',
    'footer.times': '页面中的时间均为北京时间（UTC+8）。',

    'common.loading': '加载中…',
    'common.cancel': '取消',
    'common.required': '此项必填',
    'common.show_password': '显示密码',
    'common.back_home': '返回首页',
    'notfound.doc_title': '页面不存在 · 农源直供',
    'notfound.heading': '页面不存在',
    'notfound.text': '您访问的页面不存在或已经移走。可以回到首页，或检查地址是否输入正确。',

    'error.network': '无法连接服务器，请检查网络后重试。',
    'error.server': '服务器暂时出错，请稍后再试。',
    'error.bad_response': '服务器返回了无法识别的内容，请稍后再试。',
    'error.generic': '操作没有成功，请稍后再试。',
    'error.unauthenticated': '请先登录。',
    'error.forbidden': '你没有权限执行此操作。',
    'error.not_found': '没有找到相应的内容。',
    'error.too_many': '尝试次数过多，请稍后再试。',
    'error.retry_after': '请在 {s} 秒后重试。',
    'error.check_fields': '请检查填写的内容。',
    'error.me_failed': '暂时无法获取登录信息，请稍后刷新页面。',
    'error.unavailable': '服务暂时不可用，请稍后再试。',
    'common.unavailable': '暂时无法加载。',

    'kind.cooperative': '农民专业合作社',
    'kind.family_farm': '家庭农场',
    'kind.specialised_household': '专业大户',
    'kind.agri_enterprise': '农业生产企业',
    'kind.platform_store': '平台自营',
    'kind.business_buyer': '采购商',
    'kind.business_buyer_long': '采购商（社区店、超市、酒店等）',

    'status.pending': '待审核',
    'status.verified': '已认证',
    'status.rejected': '已驳回',

    'role.owner': '所有者',
    'role.staff': '员工',

    'platform_role.operator': '平台运营',
    'platform_role.after_sales_agent': '售后客服',
    'platform_role.official': '县级主管部门',

    'inv_status.pending': '待接受',
    'inv_status.accepted': '已接受',
    'inv_status.declined': '已拒绝',
    'inv_status.revoked': '已撤回',

    'history.submitted': '提交申请',
    'history.verified': '审核通过',
    'history.rejected': '驳回',
    'history.resubmitted': '重新提交',

    'device.wechat': '微信',
    'device.browser': '浏览器',
    'device.api_client': '接口客户端',
    'device.unknown': '未知设备',

    'home.doc_title': '农源直供 · 县域农产品产地直供',
    'home.eyebrow': '县域农产品产地直供平台',
    'home.title': '从田间到餐桌，每一份都知道来处',
    'home.lead': '农源直供连接本县的农民专业合作社、家庭农场、农业企业与城市家庭、社区店、超市和酒店。',
    'home.origin_title': '原产地直供',
    'home.origin_text': '商品来自在平台认证的本县生产主体，产地标注到乡镇和村。',
    'home.trace_title': '安全可追溯',
    'home.trace_text': '每个批次记录种植、投入品、采收与检测，附承诺达标合格证；记录只增不改，扫码即可查验。',
    'home.care_title': '售后有保障',
    'home.care_text': '生鲜在运输中受损可在线申请理赔，处理进度与时限全程可查。',
    'home.you_title': '我的入口',
    'home.anon_text': '登录后可以管理账户；合作社、家庭农场和采购商可以申请入驻。',
    'home.hello': '你好，',
    'home.verify_title': '审核队列',
    'home.verify_text': '审核供应商与采购商的入驻申请。',
    'home.orgs_title': '我的组织',
    'home.orgs_text_member': '查看认证状态，管理资料、成员和邀请。',
    'home.orgs_text_new': '合作社、家庭农场、农业企业或采购商？提交资料申请入驻。',
    'home.account_title': '我的账户',
    'home.account_text': '个人资料、登录设备和组织邀请。',
    'home.stats_title': '县域统计',
    'home.aftersales_title': '售后工作台',
    'home.coming_soon': '即将上线。',
    'home.invites': '你有 {n} 个待处理的组织邀请。',
    'home.invites_link': '去处理',
    'home.search_title': '搜索农产品',
    'home.search_coming': '商品目录正在建设中，即将上线。上线后可按品类、产地乡镇搜索本县的农产品。',

    'login.doc_title': '登录 · 农源直供',
    'login.heading': '登录',
    'login.intro': '使用注册时填写的手机号或邮箱登录。',
    'login.already': '你已登录为：',
    'login.continue': '继续',
    'login.login_label': '手机号或邮箱',
    'login.login_placeholder': '例如 13800000000',
    'login.password_label': '密码',
    'login.submit': '登录',
    'login.no_account': '还没有账户？',
    'login.register_link': '注册新账户',
    'login.login_required': '请输入手机号或邮箱',
    'login.password_required': '请输入密码',

    'register.doc_title': '注册 · 农源直供',
    'register.heading': '注册账户',
    'register.intro': '注册后即可购买农产品；合作社、家庭农场和采购商还可以在“我的组织”中申请入驻。',
    'register.name_label': '姓名或昵称',
    'register.contact_label': '手机号或邮箱',
    'register.contact_hint': '用于登录和接收组织邀请，只需填写一项。',
    'register.password_label': '设置密码',
    'register.password_hint': '至少 8 个字符。',
    'register.submit': '注册',
    'register.have_account': '已有账户？',
    'register.login_link': '去登录',
    'register.name_required': '请输入姓名或昵称',
    'register.contact_required': '请输入手机号或邮箱',
    'register.password_short': '密码至少需要 8 个字符',

    'account.doc_title': '我的账户 · 农源直供',
    'account.heading': '我的账户',
    'account.profile': '个人资料',
    'account.display_name': '姓名或昵称',
    'account.phone': '手机号',
    'account.email': '邮箱',
    'account.platform_role': '平台角色',
    'account.created_at': '注册时间',
    'account.logout': '退出登录',
    'account.invitations': '待处理的组织邀请',
    'account.invitations_intro': '组织所有者邀请你加入时，邀请会显示在这里。',
    'account.no_invitations': '暂无待处理的邀请。',
    'account.inv_role': '邀请角色',
    'account.inv_by': '邀请人',
    'account.inv_at': '邀请时间',
    'account.accept': '接受',
    'account.decline': '拒绝',
    'account.accepted': '你已加入“{org}”。',
    'account.declined': '已拒绝“{org}”的邀请。',
    'account.go_to_org': '查看组织',
    'account.sessions': '登录设备',
    'account.sessions_intro': '以下设备登录着你的账户。如有不认识的设备，请立即让它退出登录。',
    'account.no_sessions': '没有登录中的设备。',
    'account.this_device': '当前设备',
    'account.ip': 'IP 地址',
    'account.last_seen': '最近使用',
    'account.signed_in': '登录时间',
    'account.expires': '到期时间',
    'account.revoke': '让它退出登录',
    'account.revoke_current': '退出此设备',
    'account.revoked': '该设备已退出登录。',

    'org.doc_title': '我的组织 · 农源直供',
    'org.heading': '我的组织',
    'org.intro': '合作社、家庭农场、农业企业和采购商在这里提交资料。平台审核通过后，供应商可以上架农产品，采购商可以享受批发价。',
    'org.mine': '我加入的组织',
    'org.none': '你还没有加入任何组织。可以在下方提交资料申请入驻，或请组织所有者邀请你。',
    'org.open': '查看与管理',
    'org.my_role_owner': '我是所有者',
    'org.my_role_staff': '我是员工',
    'org.reason_label': '驳回原因：',
    'org.reason_hint': '请按原因修改资料，保存后会重新提交审核。',
    'org.pending_hint': '资料已提交，正在等待平台审核。',
    'org.verified_at': '认证通过于',
    'org.f_kind': '组织类型',
    'org.choose_kind': '请选择',
    'org.f_name': '组织名称',
    'org.f_name_hint': '与营业执照上的名称一致。',
    'org.f_licence': '统一社会信用代码',
    'org.licence_short': '信用代码',
    'org.address': '详细地址',
    'org.f_licence_hint': '18 位，见营业执照，字母不含 I、O、Z、S、V。',
    'org.f_region': '所在地区',
    'org.f_province': '省份',
    'org.f_city': '市（州）',
    'org.f_county': '县（区）',
    'org.f_township': '乡镇（选填）',
    'org.f_village': '村（选填）',
    'org.ph_province': '例如：江西省',
    'org.ph_city': '例如：赣州市',
    'org.ph_county': '例如：青石县',
    'org.ph_township': '例如：梅岭镇',
    'org.ph_village': '例如：茶坑村',
    'org.f_address': '详细地址（选填）',
    'org.f_contact_name': '联系人',
    'org.f_contact_phone': '联系电话',
    'org.f_contact_phone_hint': '平台审核时会致电核实。',
    'org.submitted_at': '提交时间',
    'org.verified_at_label': '认证时间',
    'org.my_role': '我的角色',
    'org.edit': '修改资料',
    'org.edit_resubmit': '修改并重新提交',
    'org.edit_title': '修改组织资料',
    'org.edit_review_hint': '修改名称、统一社会信用代码或所在地区后，需要平台重新审核。',
    'org.save': '保存',
    'org.save_resubmit': '保存并重新提交审核',
    'org.nothing_changed': '没有需要保存的修改。',
    'org.saved': '已保存。',
    'org.saved_review': '已保存，等待平台重新审核。',
    'org.resubmitted': '已重新提交，等待平台审核。',
    'org.members': '成员',
    'org.no_members': '暂无成员。',
    'org.me': '我',
    'org.member_phone': '手机号',
    'org.joined_at': '加入时间',
    'org.role_of': '{name} 的角色',
    'org.change_role': '更改角色',
    'org.role_changed': '已更改 {name} 的角色。',
    'org.remove': '移除',
    'org.remove_confirm': '确定将 {name} 移出本组织吗？',
    'org.removed': '已将 {name} 移出本组织。',
    'org.leave': '退出组织',
    'org.leave_confirm': '确定退出“{org}”吗？',
    'org.left': '你已退出“{org}”。',
    'org.invitations': '邀请成员',
    'org.invite_intro': '被邀请人用这个手机号或邮箱注册、登录后，可在“我的账户”中接受邀请。',
    'org.invite_login': '手机号或邮箱',
    'org.invite_role': '角色',
    'org.role_hint': '所有者可以修改资料、管理成员；员工处理日常业务。',
    'org.invite_submit': '发送邀请',
    'org.invite_list': '已发出的邀请',
    'org.no_invitations': '还没有发出邀请。',
    'org.invited': '已邀请 {login}。',
    'org.invited_by': '邀请人',
    'org.invited_at': '邀请时间',
    'org.revoke': '撤回',
    'org.invite_revoked': '已撤回对 {login} 的邀请。',
    'org.create_title': '申请入驻：创建组织',
    'org.create_intro': '提交后由平台运营人员审核，审核结果会显示在“我加入的组织”中。',
    'org.create_open': '填写资料',
    'org.create_submit': '提交审核',
    'org.created': '“{name}”已提交，等待平台审核。',

    'verify.doc_title': '审核队列 · 农源直供',
    'verify.heading': '组织认证审核',
    'verify.intro': '核对营业执照、统一社会信用代码与联系人后再通过；驳回时写清原因，申请人会看到它并据此修改。',
    'verify.forbidden': '只有平台运营人员可以查看审核队列。',
    'verify.f_status': '状态',
    'verify.f_kind': '类型',
    'verify.all_kinds': '全部类型',
    'verify.f_q': '搜索',
    'verify.q_placeholder': '名称、信用代码或手机号',
    'verify.search': '查询',
    'verify.results': '申请列表',
    'verify.count': '共 {n} 个',
    'verify.empty_pending': '没有待审核的申请。',
    'verify.empty_verified': '没有符合条件的已认证组织。',
    'verify.empty_rejected': '没有符合条件的已驳回申请。',
    'verify.pager': '翻页',
    'verify.prev': '上一页',
    'verify.next': '下一页',
    'verify.page_info': '第 {from}–{to} 个，共 {total} 个',
    'verify.contact': '联系人',
    'verify.owner': '所有者',
    'verify.verify': '通过',
    'verify.verify_question': '确认通过“{name}”的认证？',
    'verify.verify_confirm': '确认通过',
    'verify.verified': '已通过“{name}”的认证。',
    'verify.reject': '驳回',
    'verify.reason_label': '驳回原因（申请人会看到）',
    'verify.reason_hint': '写清需要修改什么，2–500 字。',
    'verify.reason_length': '驳回原因需要 {min}–{max} 个字',
    'verify.reject_confirm': '确认驳回',
    'verify.rejected': '已驳回“{name}”的申请。',
    'verify.history': '审核记录',
    'verify.history_title': '审核记录',
    'verify.no_history': '暂无审核记录。',
    'verify.by': '操作人：',
  },

  en: {
    'a11y.skip': 'Skip to main content',
    'lang.switch': 'Language',

    'nav.label': 'Main navigation',
    'nav.home': 'Home',
    'nav.account': 'My account',
    'nav.orgs': 'My organisations',
    'nav.verify': 'Review queue',
    'nav.login': 'Log in',
    'nav.register': 'Sign up',
    'nav.logout': 'Log out',

    'footer.tagline': 'Farmgate · known origin, safe, traceable',
    'footer.times': 'Times on this site are Beijing time (UTC+8).',

    'common.loading': 'Loading…',
    'common.cancel': 'Cancel',
    'common.required': 'This field is required',
    'common.show_password': 'Show password',
    'common.back_home': 'Back to home',
    'notfound.doc_title': 'Page not found · Farmgate',
    'notfound.heading': 'Page not found',
    'notfound.text': 'The page you asked for does not exist or has moved. Go back to the home page, or check the address.',

    'error.network': 'Cannot reach the server. Check your connection and try again.',
    'error.server': 'The server had a problem. Please try again later.',
    'error.bad_response': 'The server sent something unexpected. Please try again later.',
    'error.generic': 'That did not work. Please try again later.',
    'error.unauthenticated': 'Please log in first.',
    'error.forbidden': 'You are not allowed to do this.',
    'error.not_found': 'Not found.',
    'error.too_many': 'Too many attempts. Please try again later.',
    'error.retry_after': 'Try again in {s} seconds.',
    'error.check_fields': 'Please check the highlighted fields.',
    'error.me_failed': 'Could not load your sign-in details. Please refresh the page in a moment.',
    'error.unavailable': 'The service is unavailable right now. Please try again later.',
    'common.unavailable': 'Could not load this right now.',

    'kind.cooperative': 'Farmer cooperative',
    'kind.family_farm': 'Family farm',
    'kind.specialised_household': 'Specialised grower',
    'kind.agri_enterprise': 'Agricultural enterprise',
    'kind.platform_store': 'Platform store',
    'kind.business_buyer': 'Business buyer',
    'kind.business_buyer_long': 'Business buyer (shop, supermarket, hotel…)',

    'status.pending': 'Pending',
    'status.verified': 'Verified',
    'status.rejected': 'Rejected',

    'role.owner': 'Owner',
    'role.staff': 'Staff',

    'platform_role.operator': 'Platform operator',
    'platform_role.after_sales_agent': 'After-sales agent',
    'platform_role.official': 'County official',

    'inv_status.pending': 'Pending',
    'inv_status.accepted': 'Accepted',
    'inv_status.declined': 'Declined',
    'inv_status.revoked': 'Revoked',

    'history.submitted': 'Submitted',
    'history.verified': 'Verified',
    'history.rejected': 'Rejected',
    'history.resubmitted': 'Resubmitted',

    'device.wechat': 'WeChat',
    'device.browser': 'Browser',
    'device.api_client': 'API client',
    'device.unknown': 'Unknown device',

    'home.doc_title': 'Farmgate · county produce, direct from origin',
    'home.eyebrow': 'County produce, direct from origin',
    'home.title': 'From field to table, you know where it came from',
    'home.lead': 'Farmgate connects the county\'s farmer cooperatives, family farms and agricultural enterprises with urban households, community shops, supermarkets and hotels.',
    'home.origin_title': 'Known origin',
    'home.origin_text': 'Produce comes from local producers verified by the platform, with origin down to township and village.',
    'home.trace_title': 'Safe and traceable',
    'home.trace_text': 'Every batch records planting, inputs, harvest and inspection, with its compliance certificate. Records are append-only; scan the code to check them.',
    'home.care_title': 'After-sales you can count on',
    'home.care_text': 'Fresh produce damaged in transit can be claimed online, with progress and deadlines visible throughout.',
    'home.you_title': 'Your shortcuts',
    'home.anon_text': 'Log in to manage your account. Cooperatives, family farms and business buyers can apply to join.',
    'home.hello': 'Hello, ',
    'home.verify_title': 'Review queue',
    'home.verify_text': 'Review applications from sellers and business buyers.',
    'home.orgs_title': 'My organisations',
    'home.orgs_text_member': 'See verification status; manage details, members and invitations.',
    'home.orgs_text_new': 'A cooperative, family farm, enterprise or business buyer? Apply to join.',
    'home.account_title': 'My account',
    'home.account_text': 'Profile, signed-in devices and organisation invitations.',
    'home.stats_title': 'County statistics',
    'home.aftersales_title': 'After-sales desk',
    'home.coming_soon': 'Coming soon.',
    'home.invites': 'You have {n} pending organisation invitation(s).',
    'home.invites_link': 'Review them',
    'home.search_title': 'Search produce',
    'home.search_coming': 'The catalogue is being built and is coming soon. You will be able to search the county\'s produce by category and township of origin.',

    'login.doc_title': 'Log in · Farmgate',
    'login.heading': 'Log in',
    'login.intro': 'Use the phone number or e-mail address you signed up with.',
    'login.already': 'You are logged in as:',
    'login.continue': 'Continue',
    'login.login_label': 'Phone or e-mail',
    'login.login_placeholder': 'e.g. 13800000000',
    'login.password_label': 'Password',
    'login.submit': 'Log in',
    'login.no_account': 'No account yet?',
    'login.register_link': 'Sign up',
    'login.login_required': 'Enter your phone number or e-mail',
    'login.password_required': 'Enter your password',

    'register.doc_title': 'Sign up · Farmgate',
    'register.heading': 'Create an account',
    'register.intro': 'With an account you can buy produce; cooperatives, family farms and business buyers can also apply to join under "My organisations".',
    'register.name_label': 'Name or nickname',
    'register.contact_label': 'Phone or e-mail',
    'register.contact_hint': 'Used to log in and to receive organisation invitations. One is enough.',
    'register.password_label': 'Choose a password',
    'register.password_hint': 'At least 8 characters.',
    'register.submit': 'Sign up',
    'register.have_account': 'Already have an account?',
    'register.login_link': 'Log in',
    'register.name_required': 'Enter a name or nickname',
    'register.contact_required': 'Enter a phone number or e-mail',
    'register.password_short': 'The password needs at least 8 characters',

    'account.doc_title': 'My account · Farmgate',
    'account.heading': 'My account',
    'account.profile': 'Profile',
    'account.display_name': 'Name',
    'account.phone': 'Phone',
    'account.email': 'E-mail',
    'account.platform_role': 'Platform role',
    'account.created_at': 'Member since',
    'account.logout': 'Log out',
    'account.invitations': 'Pending organisation invitations',
    'account.invitations_intro': 'When an organisation owner invites you, the invitation shows here.',
    'account.no_invitations': 'No pending invitations.',
    'account.inv_role': 'Role offered',
    'account.inv_by': 'Invited by',
    'account.inv_at': 'Invited at',
    'account.accept': 'Accept',
    'account.decline': 'Decline',
    'account.accepted': 'You joined "{org}".',
    'account.declined': 'You declined the invitation from "{org}".',
    'account.go_to_org': 'Open organisation',
    'account.sessions': 'Signed-in devices',
    'account.sessions_intro': 'These devices are signed in to your account. If you do not recognise one, sign it out now.',
    'account.no_sessions': 'No signed-in devices.',
    'account.this_device': 'This device',
    'account.ip': 'IP address',
    'account.last_seen': 'Last used',
    'account.signed_in': 'Signed in',
    'account.expires': 'Expires',
    'account.revoke': 'Sign it out',
    'account.revoke_current': 'Sign out this device',
    'account.revoked': 'That device has been signed out.',

    'org.doc_title': 'My organisations · Farmgate',
    'org.heading': 'My organisations',
    'org.intro': 'Cooperatives, family farms, agricultural enterprises and business buyers submit their details here. Once the platform verifies them, sellers can list produce and business buyers get wholesale prices.',
    'org.mine': 'Organisations I belong to',
    'org.none': 'You do not belong to any organisation yet. Apply below, or ask an organisation owner to invite you.',
    'org.open': 'View and manage',
    'org.my_role_owner': 'I am an owner',
    'org.my_role_staff': 'I am staff',
    'org.reason_label': 'Reason for rejection:',
    'org.reason_hint': 'Correct the details as asked; saving sends them for review again.',
    'org.pending_hint': 'Submitted; waiting for the platform to review.',
    'org.verified_at': 'Verified on',
    'org.f_kind': 'Type of organisation',
    'org.choose_kind': 'Choose…',
    'org.f_name': 'Name',
    'org.f_name_hint': 'As on the business licence.',
    'org.f_licence': 'Unified social credit code',
    'org.licence_short': 'Credit code',
    'org.address': 'Address',
    'org.f_licence_hint': '18 characters, on the business licence; never uses I, O, Z, S or V.',
    'org.f_region': 'Region',
    'org.f_province': 'Province',
    'org.f_city': 'City / prefecture',
    'org.f_county': 'County / district',
    'org.f_township': 'Township (optional)',
    'org.f_village': 'Village (optional)',
    'org.ph_province': 'e.g. 江西省',
    'org.ph_city': 'e.g. 赣州市',
    'org.ph_county': 'e.g. 青石县',
    'org.ph_township': 'e.g. 梅岭镇',
    'org.ph_village': 'e.g. 茶坑村',
    'org.f_address': 'Street address (optional)',
    'org.f_contact_name': 'Contact person',
    'org.f_contact_phone': 'Contact phone',
    'org.f_contact_phone_hint': 'The platform calls this number to confirm the application.',
    'org.submitted_at': 'Submitted',
    'org.verified_at_label': 'Verified',
    'org.my_role': 'My role',
    'org.edit': 'Edit details',
    'org.edit_resubmit': 'Edit and resubmit',
    'org.edit_title': 'Edit organisation details',
    'org.edit_review_hint': 'Changing the name, the credit code or the region sends the organisation for review again.',
    'org.save': 'Save',
    'org.save_resubmit': 'Save and resubmit for review',
    'org.nothing_changed': 'Nothing has changed.',
    'org.saved': 'Saved.',
    'org.saved_review': 'Saved; waiting for the platform to review again.',
    'org.resubmitted': 'Resubmitted; waiting for the platform to review.',
    'org.members': 'Members',
    'org.no_members': 'No members.',
    'org.me': 'me',
    'org.member_phone': 'Phone',
    'org.joined_at': 'Joined',
    'org.role_of': 'Role of {name}',
    'org.change_role': 'Change role',
    'org.role_changed': 'Changed the role of {name}.',
    'org.remove': 'Remove',
    'org.remove_confirm': 'Remove {name} from this organisation?',
    'org.removed': 'Removed {name} from this organisation.',
    'org.leave': 'Leave organisation',
    'org.leave_confirm': 'Leave "{org}"?',
    'org.left': 'You left "{org}".',
    'org.invitations': 'Invite members',
    'org.invite_intro': 'Once they sign up or log in with this phone number or e-mail, they can accept under "My account".',
    'org.invite_login': 'Phone or e-mail',
    'org.invite_role': 'Role',
    'org.role_hint': 'Owners edit details and manage members; staff handle day-to-day work.',
    'org.invite_submit': 'Send invitation',
    'org.invite_list': 'Invitations sent',
    'org.no_invitations': 'No invitations sent yet.',
    'org.invited': 'Invited {login}.',
    'org.invited_by': 'Invited by',
    'org.invited_at': 'Invited at',
    'org.revoke': 'Revoke',
    'org.invite_revoked': 'Revoked the invitation to {login}.',
    'org.create_title': 'Apply to join: create an organisation',
    'org.create_intro': 'A platform operator reviews the application; the result shows under "Organisations I belong to".',
    'org.create_open': 'Fill in the details',
    'org.create_submit': 'Submit for review',
    'org.created': '"{name}" was submitted and is waiting for review.',

    'verify.doc_title': 'Review queue · Farmgate',
    'verify.heading': 'Organisation verification',
    'verify.intro': 'Check the business licence, credit code and contact before verifying. When rejecting, say clearly why: the applicant sees the reason and corrects their details.',
    'verify.forbidden': 'Only platform operators can see the review queue.',
    'verify.f_status': 'Status',
    'verify.f_kind': 'Type',
    'verify.all_kinds': 'All types',
    'verify.f_q': 'Search',
    'verify.q_placeholder': 'Name, credit code or phone',
    'verify.search': 'Search',
    'verify.results': 'Applications',
    'verify.count': '{n} in total',
    'verify.empty_pending': 'No applications waiting for review.',
    'verify.empty_verified': 'No verified organisations match.',
    'verify.empty_rejected': 'No rejected applications match.',
    'verify.pager': 'Pages',
    'verify.prev': 'Previous',
    'verify.next': 'Next',
    'verify.page_info': '{from}–{to} of {total}',
    'verify.contact': 'Contact',
    'verify.owner': 'Owner',
    'verify.verify': 'Verify',
    'verify.verify_question': 'Verify "{name}"?',
    'verify.verify_confirm': 'Yes, verify',
    'verify.verified': 'Verified "{name}".',
    'verify.reject': 'Reject',
    'verify.reason_label': 'Reason (the applicant sees it)',
    'verify.reason_hint': 'Say what needs correcting; 2–500 characters.',
    'verify.reason_length': 'The reason needs {min}–{max} characters',
    'verify.reject_confirm': 'Reject application',
    'verify.rejected': 'Rejected the application from "{name}".',
    'verify.history': 'Review history',
    'verify.history_title': 'Review history',
    'verify.no_history': 'No review history yet.',
    'verify.by': 'By:',
  },
};
