// Links made from scraped text: the account's profile, its posts, and the contact e-mail and
// website its bio gives. Scraped text is untrusted: only http(s) URLs of a well-formed shape
// become links (never javascript:, data: or a relative URL), e-mail addresses become mailto:
// links of their own shape, and every link text is set through textContent.

// Profile URL templates by the platform the post links are on (host suffix -> profile).
const PROFILES = [
  ['instagram.com', (h) => `https://www.instagram.com/${h}/`],
  ['tiktok.com', (h) => `https://www.tiktok.com/@${h}`],
  ['youtube.com', (h) => `https://www.youtube.com/@${h}`],
  ['x.com', (h) => `https://x.com/${h}`],
  ['twitter.com', (h) => `https://x.com/${h}`],
];
export const PLATFORM_NAMES = { 'instagram.com': 'Instagram', 'tiktok.com': 'TikTok', 'youtube.com': 'YouTube', 'x.com': 'X', 'twitter.com': 'X' };

// An absolute http(s) URL with a host, normalised by the URL parser; null for anything else.
export function safeUrl(text) {
  let u;
  try {
    u = new URL(String(text).trim());
  } catch {
    return null;
  }
  if ((u.protocol !== 'https:' && u.protocol !== 'http:') || !u.hostname || u.username || u.password) return null;
  return u.href;
}

const hostMatches = (host, suffix) => host === suffix || host.endsWith(`.${suffix}`);

const handleOf = (name) => {
  const handle = String(name).trim().replace(/^@/, '');
  return /^[A-Za-z0-9._]{1,30}$/.test(handle) && !/^\.+$/.test(handle) ? handle : null;
};

// The account's profile on the platform its post links are on, else on the catalog's
// platform (`fallback`, the bundle's `instagram.com` or the like): { href, platform }, or
// null when neither is known or the name is not a handle.
export function profileLink(name, postUrls, fallback = '') {
  const handle = handleOf(name);
  if (!handle) return null;
  const hosts = (postUrls ?? []).map(safeUrl).filter(Boolean).map((h) => new URL(h).hostname.toLowerCase());
  for (const host of [...hosts, String(fallback).toLowerCase()]) {
    const hit = PROFILES.find(([suffix]) => hostMatches(host, suffix));
    if (hit) return { href: hit[1](handle), platform: PLATFORM_NAMES[hit[0]] };
  }
  return null;
}

// The post links that are safe to follow, in order, each once.
export function postLinks(postUrls) {
  const out = [];
  for (const p of postUrls ?? []) {
    const href = safeUrl(p);
    if (href && !out.includes(href)) out.push(href);
  }
  return out;
}

const EMAIL = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}/g;
const WEB = /\b(?:https?:\/\/|www\.)[^\s<>"'`]{2,200}/gi;

// The contact e-mail addresses and websites a bio gives, each once, in order:
// [{ kind: 'email' | 'web', text, href }]. A website without a scheme is taken as https.
export function bioLinks(bio) {
  const text = String(bio ?? '');
  const found = [];
  for (const m of text.matchAll(EMAIL)) found.push({ at: m.index, kind: 'email', text: m[0], href: `mailto:${m[0]}` });
  for (const m of text.matchAll(WEB)) {
    // Trailing punctuation belongs to the sentence, not the address.
    const raw = m[0].replace(/[.,;:!?)\]]+$/, '');
    const href = safeUrl(/^www\./i.test(raw) ? `https://${raw}` : raw);
    if (href && !found.some((f) => f.kind === 'email' && raw.includes(f.text))) found.push({ at: m.index, kind: 'web', text: raw, href });
  }
  found.sort((a, b) => a.at - b.at);
  const seen = new Set();
  return found.filter((f) => !seen.has(f.href) && seen.add(f.href)).map(({ kind, text: t, href }) => ({ kind, text: t, href }));
}

// An <a> that opens in a new tab without handing the opener or the referrer to the site.
export function externalLink(href, text, className) {
  const a = document.createElement('a');
  a.href = href;
  a.textContent = text;
  a.target = '_blank';
  a.rel = 'noopener noreferrer';
  if (className) a.className = className;
  return a;
}
