'use strict';
// Sandbox web chat: a minimal Telegram-like client over the sandbox user API
// (/sandbox/api/...). Every piece of user or bot text reaches the page through
// DOM nodes / textContent, never innerHTML, so a hostile message cannot inject markup.

const API = '/sandbox/api';
const $ = (sel) => document.querySelector(sel);

const state = {
  bot: null,
  botCommands: [],      // [{scope, language_code, commands: [{command, description}]}]
  users: new Map(),     // id -> User (bot included, so member lists can name it)
  chats: [],            // every chat (unfiltered, so deep-linked chats still have a title)
  userId: null,
  chatId: null,
  topic: '',            // '' = all messages, 'general', or a message_thread_id as a string
  messages: new Map(),  // message_id -> Message of the open chat
  seq: 0,               // last event seq seen by the long poll
  unread: {},           // chat_id -> new messages since we last looked
  replyTo: null,
  stick: true,          // the reader is at the bottom of the chat (follow new content)
  usedKeyboard: null,   // message_id of a one-time reply keyboard already used
};

// ---------- small helpers ----------

// el('div', {class: 'x', onclick: fn}, child, 'text'): strings become text nodes.
function el(tag, attrs, ...kids) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'class') node.className = v;
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const kid of kids.flat()) if (kid != null && kid !== false) node.append(kid);
  return node;
}
// Chinese label with the English in small text.
const bi = (zh, en) => [zh, ' ', el('small', null, en)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fileUrl = (id) => `${API}/files/${encodeURIComponent(id)}`;

async function api(method, path, body) {
  const opts = { method, headers: {} };
  if (body instanceof FormData) opts.body = body;  // the browser sets the multipart boundary
  else if (body !== undefined) {
    opts.body = JSON.stringify(body);
    opts.headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(API + path, opts);
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.error || `HTTP ${res.status}`);
  return data;
}
const get = (path) => api('GET', path);
const post = (path, body) => api('POST', path, body);

let toastTimer;
function toast(text, isError) {
  Object.assign($('#toast'), { textContent: text, className: isError ? 'error' : '', hidden: false });
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { $('#toast').hidden = true; }, 4000);
}
function alertBox(text) {  // show_alert answers need an explicit OK, like Telegram's dialog
  $('#modal-text').textContent = text;
  $('#modal').hidden = false;
  $('#modal-ok').focus();
}
// Wrap async UI actions so a 4xx from the sandbox shows up instead of vanishing.
const guarded = (fn) => (...args) => fn(...args).catch((e) => toast(`错误 error: ${e.message}`, true));

function userName(u) {
  if (!u) return '?';
  return [u.first_name, u.last_name].filter(Boolean).join(' ') || u.username || String(u.id);
}
function chatName(c) {
  if (!c) return `#${state.chatId}`;
  if (c.type === 'private') return state.bot ? userName(state.bot) : 'bot';
  return c.title || `#${c.id}`;
}
// No emoji in the chrome: a bare CI box has CJK fonts but often no emoji font.
const chatTag = (c) => (c.type === 'private' ? '私聊 bot' : c.is_forum ? '话题 forum'
  : c.type === 'supergroup' ? '超级群 supergroup' : '群组 group');
const currentChat = () => state.chats.find((c) => c.id === state.chatId);
// The private chat's id is its user's id; otherwise look for a live membership.
const isMine = (c) => (c.type === 'private' && c.id === state.userId)
  || (c.members || []).some((m) => m.user_id === state.userId && !['left', 'kicked'].includes(m.status));

function fmtTime(unix) {
  const d = new Date(unix * 1000);
  const hm = d.toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit' });
  return d.toDateString() === new Date().toDateString() ? hm : `${d.getMonth() + 1}/${d.getDate()} ${hm}`;
}
function fmtSize(n) {
  return n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1048576).toFixed(1)} MB`;
}
// One-line preview, used by quotes, the pin banner and the reply bar.
function snippet(m) {
  if (!m) return '';
  const s = m.text || m.caption || (m.photo && '[图片 photo]') || (m.document && `[文件 file] ${m.document.file_name || ''}`)
    || (m.poll && `[投票 poll] ${m.poll.question}`) || '[…]';
  return s.length > 80 ? s.slice(0, 80) + '…' : s;
}

// ---------- URL hash: #user=ID&chat=ID&topic=ID ----------

function setHash(changes) {
  const p = new URLSearchParams(location.hash.slice(1));
  for (const [k, v] of Object.entries(changes)) (v == null || v === '' ? p.delete(k) : p.set(k, v));
  location.hash = p.toString();  // fires hashchange -> applyHash, the single place state changes
}

async function applyHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  const num = (k) => (p.get(k) ? Number(p.get(k)) : null);
  const reopen = num('user') !== state.userId || num('chat') !== state.chatId;
  Object.assign(state, { userId: num('user'), chatId: num('chat'), topic: p.get('topic') || '' });
  renderSide();
  if (reopen) await openChat(); else renderMessages();  // "mine" depends on the user, so reopen
}

// ---------- loading ----------

async function loadLists() {
  const [{ users }, { chats }] = await Promise.all([get('/users'), get('/chats')]);
  state.users = new Map(users.map((u) => [u.id, u]));
  if (state.bot) state.users.set(state.bot.id, state.bot);
  state.chats = chats;
  renderSide();
}

let openToken = 0;  // discards answers for a chat we already left
async function openChat() {
  const token = ++openToken;
  state.messages.clear();
  setReply(null);
  $('#messages').replaceChildren();
  renderHeader();
  if (state.chatId == null) return;
  delete state.unread[state.chatId];
  renderChatList();
  const { messages } = await get(`/chats/${state.chatId}/messages?after=0`);
  if (token !== openToken) return;
  for (const m of messages) state.messages.set(m.message_id, m);
  renderMessages();
  scrollBottom();
}

const maxId = () => Math.max(0, ...state.messages.keys());
async function fetchNew() {
  if (state.chatId == null) return;
  const chatId = state.chatId;
  const { messages } = await get(`/chats/${chatId}/messages?after=${maxId()}`);
  if (chatId === state.chatId) messages.forEach(upsert);
}

// Bursts of events (a bot editing five messages) should cost one fetch, not five.
function debounce(fn, ms) {
  let timer;
  return () => { clearTimeout(timer); timer = setTimeout(guarded(fn), ms); };
}
// Pins and votes are rare: refetching the whole chat beats patching flags by hand
// (a pin also changes the banner, a delete may unpin).
const refetchSoon = debounce(async () => {
  const chatId = state.chatId;
  if (chatId == null) return;
  const { messages } = await get(`/chats/${chatId}/messages?after=0`);
  if (chatId !== state.chatId) return;
  state.messages = new Map(messages.map((m) => [m.message_id, m]));
  renderMessages();
}, 60);
const reloadListsSoon = debounce(loadLists, 100);

// ---------- live events (long poll) ----------

async function pollEvents() {
  for (;;) {
    try {
      const r = await get(`/events?after=${state.seq}&timeout=25`);
      for (const ev of r.events || []) { state.seq = Math.max(state.seq, ev.seq || 0); handleEvent(ev); }
      state.seq = Math.max(state.seq, r.last_seq || 0);
    } catch {
      await sleep(1500);  // server restarting or gone: retry quietly
    }
  }
}

function handleEvent(ev) {
  if (['chat', 'member', 'user'].includes(ev.type)) return reloadListsSoon();
  const chatId = ev.chat_id ?? ev.message?.chat?.id;
  if (ev.type === 'poll' && chatId == null) return refetchSoon();  // poll events may carry only the poll
  // Our own POST /callbacks already returns the answer; its event is for other watchers.
  if (chatId == null || ev.type === 'callback_answer') return;
  if (ev.type === 'action') return chatId === state.chatId && showAction(ev.action);
  if (chatId !== state.chatId) {
    if (ev.type === 'message') { state.unread[chatId] = (state.unread[chatId] || 0) + 1; renderChatList(); }
    return;
  }
  if (ev.type === 'message' && ev.message?.from?.is_bot) showAction(null);
  // message/edit/delete carry the message; pin/unpin/poll only ids, so refetch those.
  if (ev.message?.message_id != null) upsert(ev.message); else refetchSoon();
}

// ---------- sidebar ----------

function renderSide() {
  const sel = $('#user-select');
  const humans = [...state.users.values()].filter((u) => !u.is_bot);
  sel.replaceChildren(el('option', { value: '' }, '— 选择用户 pick a user —'),
    ...humans.map((u) => el('option', { value: u.id },
      `${userName(u)}${u.username ? ' @' + u.username : ''} (${u.id}${u.language_code ? ', ' + u.language_code : ''})`)));
  sel.value = state.userId ?? '';
  renderChatList();
  const chat = currentChat();
  $('#member-box').hidden = !chat || chat.type === 'private';
  const pick = $('#member-user'), picked = pick.value;  // keep a half-filled form across live reloads
  // The bot is listed too: making it an administrator is how a group grants it rights.
  pick.replaceChildren(...[...humans, state.bot].filter(Boolean).map((u) =>
    el('option', { value: u.id }, `${u.is_bot ? '机器人 bot: ' : ''}${userName(u)} (${u.id})`)));
  if (picked) pick.value = picked;
  $('#member-list').replaceChildren(...(chat?.members || []).map((m) =>
    el('li', { class: m.status }, userName(state.users.get(m.user_id) || { id: m.user_id }), ' · ', m.status)));
  renderHeader();
}

function renderChatList() {
  const list = $('#chat-list');
  const chats = state.userId == null ? [] : state.chats.filter(isMine);
  if (!chats.length) {
    return list.replaceChildren(el('li', { class: 'empty' }, state.userId == null ? bi('先选择用户', 'pick a user first') : bi('还没有会话', 'no chats yet')));
  }
  list.replaceChildren(...chats.map((c) => el('li', null,
    el('button', {
      type: 'button', class: c.id === state.chatId ? 'active' : '',
      onclick: () => { document.body.classList.remove('side-open'); setHash({ chat: c.id, topic: null }); },
    }, el('span', null, chatName(c), ' ', el('small', null, chatTag(c))), state.unread[c.id] ? el('span', { class: 'badge' }, String(state.unread[c.id])) : null))));
}

function renderHeader() {
  const chat = currentChat();
  $('#chat-title').replaceChildren(...(state.chatId == null ? bi('请选择会话', 'pick a chat') : [chatName(chat)]));
  let sub = '';
  if (chat?.type === 'private') sub = `机器人 bot${state.bot?.username ? ' @' + state.bot.username : ''}`;
  else if (chat) sub = `${chat.type}${chat.is_forum ? ' · forum' : ''} · ${(chat.members || []).filter((m) => !['left', 'kicked'].includes(m.status)).length} 位成员 members`;
  if (state.userId != null) sub += ` · 我是 me: ${userName(state.users.get(state.userId) || { id: state.userId })}`;
  $('#chat-sub').textContent = sub;
}

// ---------- messages ----------

function visible(m) {
  if (!state.topic) return true;
  if (state.topic === 'general') return !m.message_thread_id;
  return String(m.message_thread_id ?? m.message_id) === state.topic;
}

function renderMessages() {
  const box = $('#messages');
  const atBottom = nearBottom();
  const ids = [...state.messages.keys()].sort((a, b) => a - b);
  box.replaceChildren(...ids.map((id) => state.messages.get(id)).filter(visible).map(renderMsg));
  if (!ids.length && state.chatId != null) box.append(el('div', { class: 'msg service empty-note' }, ...bi('暂无消息', 'no messages yet')));
  renderExtras();
  if (atBottom) scrollBottom();
}

// Replace one message in place; fall back to a full render when it lands mid-list.
function upsert(m) {
  const known = state.messages.has(m.message_id);
  const newest = m.message_id > maxId();
  state.messages.set(m.message_id, m);
  const old = $(`#messages [data-id="${m.message_id}"]`);
  if (known && old) old.replaceWith(renderMsg(m));
  else if (newest && visible(m) && !$('#messages .empty-note')) {
    const atBottom = nearBottom();
    $('#messages').append(renderMsg(m));
    if (atBottom || m.from?.id === state.userId) scrollBottom();
  } else return renderMessages();
  renderExtras();
}

const SERVICE = {
  new_chat_members: (m) => `${m.new_chat_members.map(userName).join('、')} 加入了群组 joined`,
  left_chat_member: (m) => `${userName(m.left_chat_member)} 离开了群组 left`,
  pinned_message: (m) => `${userName(m.from)} 置顶了 pinned: ${snippet(m.pinned_message)}`,
  forum_topic_created: (m) => `话题已创建 topic created: ${m.forum_topic_created.name}`,
  group_chat_created: () => '群组已创建 group created',
  supergroup_chat_created: () => '超级群组已创建 supergroup created',
  new_chat_title: (m) => `群名改为 title: ${m.new_chat_title}`,
  forum_topic_closed: () => '话题已关闭 topic closed',
  forum_topic_reopened: () => '话题已重新开启 topic reopened',
  migrate_to_chat_id: (m) => `群组已升级为超级群组 migrated to ${m.migrate_to_chat_id}`,
  migrate_from_chat_id: (m) => `由群组 ${m.migrate_from_chat_id} 升级而来 migrated from`,
};

function renderMsg(m) {
  const service = Object.keys(SERVICE).find((k) => m[k]);
  if (service) return el('div', { class: 'msg service', 'data-id': m.message_id }, SERVICE[service](m));
  const mine = m.from?.id === state.userId;
  const chat = currentChat();
  const bubble = el('div', { class: 'bubble' });
  if (!mine && chat && chat.type !== 'private' && m.from) {
    // A stable colour per sender helps tell group members apart.
    bubble.append(el('div', { class: 'sender', style: `color: hsl(${(m.from.id * 47) % 360} 55% 40%)` },
      userName(m.from), m.from.is_bot ? el('small', null, ' bot') : null));
  }
  const r = m.reply_to_message;
  if (r && !r.forum_topic_created && !m.deleted) {  // forum messages "reply" to the topic root: hide that
    bubble.append(el('div', { class: 'quote', onclick: () => jumpTo(r.message_id) },
      el('b', null, userName(r.from)), el('div', null, snippet(r))));
  }
  if (m.deleted) {
    bubble.append(el('div', { class: 'text' }, ...bi('消息已删除', 'message deleted')));
  } else {
    bubble.append(...media(m));
    if (m.text != null) bubble.append(richText(m.text, m.entities));
    if (m.caption != null) bubble.append(richText(m.caption, m.caption_entities));
    if (m.poll) bubble.append(pollNode(m.poll));
  }
  bubble.append(el('div', { class: 'meta' },
    m.pinned ? el('span', { class: 'pin', title: 'pinned' }, '置顶') : null,
    (m.edited || m.edit_date) && !m.deleted ? el('span', { class: 'edited' }, ...bi('已编辑', 'edited')) : null,
    el('span', null, fmtTime(m.date)),
    m.deleted ? null : el('button', { type: 'button', class: 'reply-btn', title: '回复 reply', onclick: () => setReply(m) }, '↩')));
  const cls = `msg ${mine ? 'mine' : 'theirs'}${m.deleted ? ' deleted' : ''}`;
  return el('div', { class: cls, 'data-id': m.message_id }, bubble, m.deleted ? null : keyboard(m));
}

function media(m) {
  const out = [];
  if (m.photo?.length) {
    const src = fileUrl(m.photo[m.photo.length - 1].file_id);  // the last PhotoSize is the largest
    // Images grow the list after it scrolled: stay pinned to the bottom if we were there.
    out.push(el('a', { href: src, target: '_blank', class: 'photo' },
      el('img', { src, alt: '图片 photo', onload: () => state.stick && scrollBottom() })));
  }
  for (const kind of ['document', 'video', 'audio', 'voice', 'animation', 'sticker', 'video_note']) {
    const f = m[kind];
    if (!f || (kind === 'document' && m.animation)) continue;  // animations also carry a document copy
    const name = f.file_name || kind;
    out.push(el('a', { href: fileUrl(f.file_id), download: name, class: 'file' },
      '↓ ', name, f.file_size ? ` (${fmtSize(f.file_size)})` : ''));
  }
  return out;
}

// ---------- text + entities ----------

// Only schemes a chat client would follow; a bot's text_link could hold "javascript:".
function safeUrl(u) {
  try {
    const x = new URL(u, location.href);
    return ['http:', 'https:', 'mailto:', 'tel:', 'tg:'].includes(x.protocol) ? x.href : null;
  } catch { return null; }
}

function richText(text, entities) {
  const box = el('div', { class: 'text' });
  // Outer entities first: by offset, then longer first, so nesting falls out of the walk.
  const ents = (entities || []).filter((e) => e.length > 0)
    .sort((a, b) => a.offset - b.offset || b.length - a.length);
  fill(box, text, 0, text.length, ents);
  return box;
}

// Offsets are UTF-16 code units, which is exactly what String.slice counts.
function fill(parent, text, start, end, ents) {
  let pos = start;
  for (let i = 0; i < ents.length;) {
    const e = ents[i];
    const eEnd = Math.min(e.offset + e.length, end);
    let j = i + 1;
    while (j < ents.length && ents[j].offset < eEnd) j++;  // ents[i+1..j) start inside e
    const eStart = Math.max(e.offset, pos);
    if (eStart > pos) parent.append(text.slice(pos, eStart));
    if (eEnd > eStart) {
      const [outer, inner] = entityNode(e, text.slice(e.offset, e.offset + e.length));
      fill(inner, text, eStart, eEnd, ents.slice(i + 1, j));  // overlaps are clipped, never dropped
      parent.append(outer);
      pos = eEnd;
    }
    i = j;
  }
  if (pos < end) parent.append(text.slice(pos, end));
}

function entityNode(e, body) {
  const one = (tag, attrs) => { const n = el(tag, attrs); return [n, n]; };
  const link = (url) => {
    const href = safeUrl(url);
    return href ? one('a', { href, target: '_blank', rel: 'noopener noreferrer' }) : one('span', { class: 'bad-link', title: url });
  };
  switch (e.type) {
    case 'bold': return one('b');
    case 'italic': return one('i');
    case 'underline': return one('u');
    case 'strikethrough': return one('s');
    case 'code': return one('code');
    case 'pre': {
      const code = el('code', e.language ? { class: 'language-' + e.language.replace(/[^\w-]/g, '') } : null);
      return [el('pre', null, code), code];
    }
    case 'blockquote': case 'expandable_blockquote': return one('blockquote');
    case 'spoiler': return one('span', { class: 'spoiler', title: '点击显示 click to reveal', onclick: (ev) => ev.currentTarget.classList.add('shown') });
    case 'text_link': return link(e.url);
    case 'url': return link(/^[a-z][\w+.-]*:/i.test(body) ? body : 'http://' + body);
    case 'email': return link('mailto:' + body);
    case 'phone_number': return link('tel:' + body);
    case 'text_mention': return one('span', { class: 'mention', title: e.user ? userName(e.user) : '' });
    // Telegram makes /commands in bot text tappable: do the same.
    case 'bot_command': return one('span', { class: 'bot_command', onclick: () => guarded(sendText)(body) });
    default: return one('span', { class: e.type });  // mention, hashtag, cashtag, custom_emoji…
  }
}

// ---------- polls and keyboards ----------

function pollNode(p) {
  const total = p.total_voter_count || 0;
  const picked = new Set();
  const vote = guarded(async (ids) => {
    await post(`/polls/${encodeURIComponent(p.id)}/answers`, { user_id: state.userId, option_ids: ids });
    toast(ids.length ? '已投票 voted' : '已撤回 vote retracted');
  });
  const options = p.options.map((o, i) => {
    const pct = total ? Math.round((100 * (o.voter_count || 0)) / total) : 0;
    const btn = el('button', {
      type: 'button', class: 'opt', disabled: p.is_closed,
      onclick: () => {
        if (!p.allows_multiple_answers) return vote([i]);
        if (picked.has(i)) picked.delete(i); else picked.add(i);
        btn.classList.toggle('picked');
      },
    }, el('span', { class: 'bar', style: `width: ${pct}%` }), el('span', { class: 'label' }, o.text),
    el('span', { class: 'count' }, `${o.voter_count || 0} · ${pct}%`));
    return btn;
  });
  const foot = el('div', { class: 'poll-foot' },
    el('small', null, `${p.is_anonymous === false ? '公开 public' : '匿名 anonymous'} · ${total} 人 voters${p.is_closed ? ' · 已结束 closed' : ''}`));
  if (!p.is_closed) {
    if (p.allows_multiple_answers) foot.append(el('button', { type: 'button', onclick: () => vote([...picked]) }, '投票 vote'));
    foot.append(el('button', { type: 'button', onclick: () => vote([]) }, '撤回 retract'));
  }
  return el('div', { class: 'poll' }, el('div', { class: 'q' }, el('small', null, '投票 poll '), p.question), options, foot);
}

function keyboard(m) {
  const rows = m.reply_markup?.inline_keyboard;
  return rows ? el('div', { class: 'kb' }, rows.map((row) => el('div', { class: 'row' }, row.map((b) => kbButton(m, b))))) : null;
}

function kbButton(m, b) {
  const label = b.text;
  if (b.url) {
    const href = safeUrl(b.url);
    return el('a', { class: 'btn', href, target: '_blank', rel: 'noopener noreferrer' }, label, ' ↗');
  }
  if (b.callback_data != null) {
    return el('button', { type: 'button', onclick: (ev) => pressButton(m, b, ev.currentTarget) }, label);
  }
  return el('button', { type: 'button', disabled: true, title: '沙盒不支持此按钮 unsupported here' }, label);
}

async function pressButton(m, b, btn) {
  if (!requireUser()) return;
  btn.classList.add('busy');  // the POST waits until the bot answers (or times out)
  try {
    const { answer } = await post('/callbacks', {
      chat_id: m.chat?.id ?? state.chatId, message_id: m.message_id, user_id: state.userId, data: b.callback_data,
    });
    if (!answer) toast('机器人未回应 no answer from the bot (timeout)', true);
    else if (answer.text && answer.show_alert) alertBox(answer.text);
    else if (answer.text) toast(answer.text);
  } catch (e) {
    toast(`错误 error: ${e.message}`, true);
  } finally {
    btn.classList.remove('busy');
  }
}

// ---------- pin banner, topics, reply, scrolling ----------

const newest = (pred) => [...state.messages.values()].filter(pred).sort((a, b) => b.message_id - a.message_id)[0];

function renderExtras() {
  renderPin();
  renderTopics();
  renderReplyKeyboard();
}

// Telegram keeps the bot's latest reply keyboard under the composer until the bot sends
// another one or removes it; the sandbox keeps that markup on the transcript as reply_keyboard.
function renderReplyKeyboard() {
  const latest = newest((m) => m.reply_keyboard);
  const markup = latest?.reply_keyboard;
  const box = $('#reply-kb');
  box.hidden = !markup?.keyboard || state.usedKeyboard === latest.message_id;
  if (box.hidden) return;
  const press = (label) => {
    if (markup.one_time_keyboard) { state.usedKeyboard = latest.message_id; box.hidden = true; }
    guarded(sendText)(label);
  };
  box.replaceChildren(...markup.keyboard.map((row) => el('div', { class: 'row' }, row.map((b) => {
    const label = typeof b === 'string' ? b : b.text;
    return el('button', { type: 'button', onclick: () => press(label) }, label);
  }))));
}

let actionTimer;
function showAction(action) {  // a chat action lasts 5 s in Telegram, or until the next message
  $('#chat-action').textContent = action ? `${action === 'typing' ? '正在输入' : action}…` : '';
  clearTimeout(actionTimer);
  if (action) actionTimer = setTimeout(() => showAction(null), 5000);
}

function renderPin() {
  const pinned = newest((m) => m.pinned && !m.deleted);
  const banner = $('#pin-banner');
  banner.hidden = !pinned;
  if (pinned) {
    banner.replaceChildren(el('b', null, '置顶 ', el('small', null, 'pinned')), ' ', snippet(pinned));
    banner.onclick = () => jumpTo(pinned.message_id);
  }
}

function renderTopics() {
  const sel = $('#topic-select');
  sel.hidden = !currentChat()?.is_forum;
  if (sel.hidden) return;
  // Topics come from the chat summary (reloaded on "chat" events); a thread id seen only
  // in the transcript is listed by number.
  const topics = new Map((currentChat().topics || []).map((t) =>
    [String(t.message_thread_id), t.name + (t.is_closed ? ' (已关闭 closed)' : '')]));
  for (const { message_thread_id: id } of state.messages.values()) {
    if (id && !topics.has(String(id))) topics.set(String(id), `#${id}`);
  }
  sel.replaceChildren(el('option', { value: '' }, '全部 all'), el('option', { value: 'general' }, '综合 General'),
    ...[...topics].map(([id, name]) => el('option', { value: id }, `# ${name}`)),
    el('option', { value: 'new' }, '＋ 新话题 new topic…'));
  sel.value = state.topic;
}

function setReply(m) {
  state.replyTo = m;
  $('#reply-bar').hidden = !m;
  if (m) {
    $('#reply-text').replaceChildren(el('b', null, '↩ 回复 ', userName(m.from)), ' ', snippet(m));
    $('#input').focus();
  }
}

function jumpTo(id) {
  const node = $(`#messages [data-id="${id}"]`);
  if (!node) return toast('消息不在当前视图 message not in view');
  node.scrollIntoView({ block: 'center', behavior: 'smooth' });
  node.classList.add('flash');
  setTimeout(() => node.classList.remove('flash'), 1200);
}

// Follow new messages only when the reader is already at the bottom.
const nearBottom = (box = $('#messages')) => box.scrollHeight - box.scrollTop - box.clientHeight < 80;
const scrollBottom = (box = $('#messages')) => { box.scrollTop = box.scrollHeight; };

// ---------- sending ----------

const need = (ok, msg) => ok || (toast(msg, true), false);
const requireUser = () => need(state.userId != null, '请先选择用户 pick a user first');
const requireChat = () => requireUser() && need(state.chatId != null, '请先选择会话 pick a chat first');

// Send into the chosen topic, or the replied-to message's topic when viewing "all".
const sendThread = () => (/^\d+$/.test(state.topic) ? Number(state.topic) : state.replyTo?.message_thread_id);

async function sendText(text) {
  if (!requireChat()) return;
  const body = { user_id: state.userId, text };
  if (state.replyTo) body.reply_to_message_id = state.replyTo.message_id;
  if (sendThread()) body.message_thread_id = sendThread();
  await post(`/chats/${state.chatId}/messages`, body);
  setReply(null);
  await fetchNew();  // do not wait for the event to show our own message
  scrollBottom();
}

async function sendDocument(file) {
  if (!requireChat()) return;
  const fd = new FormData();
  fd.append('user_id', state.userId);
  fd.append('file', file, file.name);
  const caption = $('#input').value.trim();  // the composer text doubles as the caption
  if (caption) fd.append('caption', caption);
  if (state.replyTo) fd.append('reply_to_message_id', state.replyTo.message_id);
  if (sendThread()) fd.append('message_thread_id', sendThread());
  await post(`/chats/${state.chatId}/documents`, fd);
  $('#input').value = '';
  setReply(null);
  await fetchNew();
  scrollBottom();
}

// GET /bot answers {user, commands: [{scope, language_code, commands}]}; a bot usually sets
// its commands after the page loaded, so the menu refetches them every time it opens.
async function loadBot() {
  const info = await get('/bot');
  state.bot = info.user;
  state.botCommands = info.commands || [];
  state.users.set(state.bot.id, state.bot);
}

function commands() {
  // Entries in the user's language first, then any other scope; a name shows once.
  const lang = state.users.get(state.userId)?.language_code || '';
  const sets = [...state.botCommands].sort((a, b) => (b.language_code === lang) - (a.language_code === lang));
  const seen = new Set();
  return sets.flatMap((x) => x.commands || []).filter((c) => !seen.has(c.command) && seen.add(c.command));
}

async function toggleCommands() {
  const menu = $('#cmd-menu');
  if (!menu.hidden) { menu.hidden = true; return; }
  await loadBot();
  const cmds = commands();
  menu.replaceChildren(...(cmds.length ? cmds.map((c) => el('button', {
    type: 'button',
    onclick: () => { menu.hidden = true; guarded(sendText)('/' + c.command); },
  }, el('b', null, '/' + c.command), ' ', el('small', null, c.description || ''))) : bi('机器人没有设置命令', 'the bot set no commands')));
  menu.hidden = false;
}

// ---------- wiring ----------

function wire() {
  const input = $('#input');
  $('#composer').addEventListener('submit', guarded(async (e) => {
    e.preventDefault();
    const text = input.value;
    if (!text.trim()) return;
    input.value = '';
    input.style.height = '';
    try { await sendText(text); } catch (err) { input.value = text; throw err; }  // keep unsent text
  }));
  input.addEventListener('keydown', (e) => {
    // Enter sends, Shift+Enter is a newline; an Enter that confirms an IME (pinyin)
    // composition must not send half-typed Chinese.
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      $('#composer').requestSubmit();
    }
  });
  input.addEventListener('input', () => {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
  });
  $('#file-input').addEventListener('change', guarded(async (e) => {
    const file = e.target.files[0];
    e.target.value = '';
    if (file) await sendDocument(file);
  }));
  $('#cmd-btn').addEventListener('click', guarded(toggleCommands));
  $('#messages').addEventListener('scroll', () => { state.stick = nearBottom(); });
  $('#reply-cancel').addEventListener('click', () => setReply(null));
  $('#modal-ok').addEventListener('click', () => { $('#modal').hidden = true; });
  $('#open-side').addEventListener('click', () => document.body.classList.add('side-open'));
  $('#close-side').addEventListener('click', () => document.body.classList.remove('side-open'));
  // On phones the sidebar is a drawer: a tap on the chat behind it closes it.
  $('#chat').addEventListener('click', (e) => {
    if (!e.target.closest('#open-side')) document.body.classList.remove('side-open');
  });
  $('#user-select').addEventListener('change', (e) => setHash({ user: e.target.value }));
  $('#topic-select').addEventListener('change', guarded(async (e) => {
    if (e.target.value !== 'new') return setHash({ topic: e.target.value });
    e.target.value = state.topic;
    const name = requireChat() && prompt('话题名称 topic name');
    if (!name) return;
    const topic = await post(`/chats/${state.chatId}/topics`, { user_id: state.userId, name });
    await loadLists();
    setHash({ topic: topic.message_thread_id });
  }));

  $('#user-form').addEventListener('submit', guarded(async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const body = { first_name: f.get('first_name').trim() };
    if (f.get('username').trim()) body.username = f.get('username').trim().replace(/^@/, '');
    if (f.get('language_code')) body.language_code = f.get('language_code');
    const user = await post('/users', body);
    e.target.reset();
    await loadLists();
    setHash({ user: user.id });
    toast(`已创建用户 user created: ${userName(user)}`);
  }));

  $('#chat-form').addEventListener('submit', guarded(async (e) => {
    e.preventDefault();
    if (!requireUser()) return;
    const f = new FormData(e.target);
    const type = f.get('type');
    const body = { type, user_id: state.userId };
    if (type !== 'private') body.title = f.get('title').trim() || '新群组 New group';
    if (type === 'supergroup') body.is_forum = f.get('is_forum') === 'on';
    const chat = await post('/chats', body);
    e.target.reset();
    await loadLists();
    document.body.classList.remove('side-open');
    setHash({ chat: chat.id, topic: null });
  }));

  $('#member-form').addEventListener('submit', guarded(async (e) => {
    e.preventDefault();
    if (!requireChat()) return;
    const f = new FormData(e.target);
    await post(`/chats/${state.chatId}/members`, { user_id: Number(f.get('user_id')), status: f.get('status') });
    await loadLists();
    toast('成员已更新 membership updated');
  }));

  window.addEventListener('hashchange', guarded(applyHash));
}

async function boot() {
  wire();
  await loadBot().catch(() => {});  // without it names just fall back to "bot"
  // Start the long poll from "now": the history comes from the messages endpoint.
  try { state.seq = (await get('/events?after=0&timeout=0')).last_seq || 0; } catch { /* poll from 0 */ }
  await loadLists();
  await applyHash();
  if (state.chatId == null) document.body.classList.add('side-open');
  pollEvents();
}

guarded(boot)();
