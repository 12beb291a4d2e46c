// The links made from scraped text (www/links.js), in Node: only http(s) URLs become links,
// e-mail addresses become mailto: links, and a profile link needs a handle and a post link
// on a known platform.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bioLinks, postLinks, profileLink, safeUrl } from '../../www/links.js';

test('only absolute http(s) URLs are safe to follow', () => {
  assert.equal(safeUrl('https://example.org/a?b=1'), 'https://example.org/a?b=1');
  assert.equal(safeUrl(' http://EXAMPLE.org '), 'http://example.org/');
  for (const bad of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<script>1</script>', '/relative', 'vbscript:x',
    'https://user:pw@example.org/', 'ftp://example.org/', '', 'not a url', 'https://']) {
    assert.equal(safeUrl(bad), null, bad);
  }
  assert.deepEqual(postLinks(['https://www.instagram.com/p/abc/', 'javascript:alert(1)', 'https://www.instagram.com/p/abc/']), ['https://www.instagram.com/p/abc/']);
});

test('a profile link needs a handle and a post on a known platform', () => {
  assert.deepEqual(profileLink('lucia.cocina', ['https://www.instagram.com/p/xyz/']), { href: 'https://www.instagram.com/lucia.cocina/', platform: 'Instagram' });
  assert.deepEqual(profileLink('@runner_1', ['javascript:x', 'https://m.tiktok.com/@runner_1/video/1']), { href: 'https://www.tiktok.com/@runner_1', platform: 'TikTok' });
  assert.equal(profileLink('lucia.cocina', []), null, 'no post link: the platform is unknown');
  assert.equal(profileLink('lucia.cocina', ['https://evil-instagram.com/p/x']), null, 'a look-alike host is no platform');
  assert.equal(profileLink('<img src=x>', ['https://www.instagram.com/p/xyz/']), null, 'not a handle');
  assert.equal(profileLink('..', ['https://www.instagram.com/p/xyz/']), null);
  assert.equal(profileLink('a'.repeat(31), ['https://www.instagram.com/p/xyz/']), null);
});

test('a bio gives its contact e-mail and website, each once, and nothing else', () => {
  const bio = 'Collabs: hello.team+ig@studio-example.co.uk | www.example.org/shop. Also https://example.org/shop, '
    + '<a href="javascript:alert(1)">x</a> javascript:alert(2) mail me@x';
  assert.deepEqual(bioLinks(bio), [
    { kind: 'email', text: 'hello.team+ig@studio-example.co.uk', href: 'mailto:hello.team+ig@studio-example.co.uk' },
    { kind: 'web', text: 'www.example.org/shop', href: 'https://www.example.org/shop' },
    { kind: 'web', text: 'https://example.org/shop', href: 'https://example.org/shop' },
  ]);
  assert.deepEqual(bioLinks(''), []);
  assert.deepEqual(bioLinks(undefined), []);
});

test('without post links the catalog\'s platform makes the profile link', () => {
  assert.deepEqual(profileLink('lucia.cocina', [], 'instagram.com'), { href: 'https://www.instagram.com/lucia.cocina/', platform: 'Instagram' });
  assert.deepEqual(profileLink('lucia.cocina', ['https://www.tiktok.com/@lucia.cocina/video/1'], 'instagram.com').platform, 'TikTok', 'its own posts first');
  assert.equal(profileLink('lucia.cocina', [], 'evil.example'), null);
  assert.equal(profileLink('lucia.cocina', [], ''), null);
});
