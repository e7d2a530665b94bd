// The demo page in a real browser (Debian's Chromium driven by playwright-core): two people chat, receipts and
// typing show, and a page whose gateway dies catches up once a gateway is back. Screenshots land in test-results/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startWeft } from './harness.js';

const CHROMIUM = process.env.WEFT_CHROMIUM || '/usr/bin/chromium';
const RESULTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-results');
const WAIT = 60_000;

let weft;
let browser;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set WEFT_CHROMIUM)`);
  mkdirSync(RESULTS, { recursive: true });
  weft = await startWeft();
  // Flags from the machine notes: no background networking, which this closed network refuses.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await weft?.stop();
});

async function login(page, url, user) {
  await page.goto(url);
  await page.fill('#user', user);
  await page.click('#login-form button');
  await page.waitForFunction(() => document.getElementById('status').textContent.endsWith('live'), null, { timeout: WAIT });
}

async function send(page, text) {
  await page.fill('#text', text);
  await page.click('#composer button');
}

function messagesContain(page, text) {
  return page.waitForFunction((t) => [...document.querySelectorAll('#messages li')].some((li) => li.textContent.includes(t)),
    text, { timeout: WAIT });
}

test('alice and bob chat in two pages: bob sees the message and the typing, alice sees bob read it,'
  + ' and bob\'s page catches up after its gateway dies', async () => {
  const suffix = Math.random().toString(36).slice(2, 8);
  const alice = `alice-${suffix}`;
  const bob = `bob-${suffix}`;
  const gateway = await weft.startGateway();
  const pageA = await (await browser.newContext({ viewport: { width: 900, height: 600 } })).newPage();
  const pageB = await (await browser.newContext({ viewport: { width: 900, height: 600 } })).newPage();

  await login(pageA, `${weft.httpUrl}/client/demo/`, alice);
  // Bob's page comes from the second gateway, so its socket goes there too.
  await login(pageB, `http://localhost:${gateway.port}/client/demo/`, bob);

  await pageA.fill('#new-chat-to', bob);
  await pageA.click('#new-chat button');
  await send(pageA, 'hello bob');
  await messagesContain(pageA, 'hello bob');

  await pageB.waitForSelector(`#conversations button:has-text("${alice}")`, { timeout: WAIT });
  await pageB.click(`#conversations button:has-text("${alice}")`);
  await messagesContain(pageB, 'hello bob');

  // Bob opened it, so his page reported it read: alice's page shows that on her message.
  await pageA.waitForSelector('#messages li.mine .meta.read', { timeout: WAIT });

  await pageA.focus('#text');
  await pageA.keyboard.type('typing…');
  await pageB.waitForFunction((who) => document.getElementById('typing').textContent.includes(who), alice, { timeout: WAIT });

  await pageA.screenshot({ path: join(RESULTS, 'alice.png') });
  await pageB.screenshot({ path: join(RESULTS, 'bob.png') });

  // Bob's gateway dies; alice writes meanwhile; a gateway comes back on the same address and bob's page catches up.
  gateway.kill();
  await pageB.waitForFunction(() => !document.getElementById('status').textContent.endsWith('live'), null, { timeout: WAIT });
  await send(pageA, 'while you were away');
  await messagesContain(pageA, 'while you were away');
  await weft.startGateway({ port: gateway.port });
  await messagesContain(pageB, 'while you were away');
  const copies = await pageB.evaluate(() => [...document.querySelectorAll('#messages li')]
    .filter((li) => li.textContent.includes('while you were away')).length);
  assert.equal(copies, 1, 'caught up once, not twice');
  await pageB.screenshot({ path: join(RESULTS, 'bob-after-reconnect.png') });
});

test('in the demo a reply quotes its message, a reaction, an edit and a delete reach the other page', async () => {
  const suffix = Math.random().toString(36).slice(2, 8);
  const alice = `alice-${suffix}`;
  const bob = `bob-${suffix}`;
  const pageA = await (await browser.newContext({ viewport: { width: 900, height: 600 } })).newPage();
  const pageB = await (await browser.newContext({ viewport: { width: 900, height: 600 } })).newPage();
  await login(pageA, `${weft.httpUrl}/client/demo/`, alice);
  await login(pageB, `${weft.httpUrl}/client/demo/`, bob);

  await pageA.fill('#new-chat-to', bob);
  await pageA.click('#new-chat button');
  await send(pageA, 'lunch at noon?');
  await messagesContain(pageA, 'lunch at noon?');
  await pageB.waitForSelector(`#conversations button:has-text("${alice}")`, { timeout: WAIT });
  await pageB.click(`#conversations button:has-text("${alice}")`);
  await messagesContain(pageB, 'lunch at noon?');

  // Bob replies to it, and reacts.
  await pageB.click('#messages li.theirs button:has-text("Reply")');
  await send(pageB, 'sure');
  await pageA.waitForFunction(() => [...document.querySelectorAll('#messages li')]
    .some((li) => li.querySelector('.quote')?.textContent.includes('lunch at noon?') && li.textContent.includes('sure')),
  null, { timeout: WAIT });
  await pageB.click('#messages li.theirs button:has-text("👍")');
  await pageA.waitForFunction(() => document.querySelector('#messages li.mine .reactions')?.textContent.includes('👍 1'),
    null, { timeout: WAIT });

  // Alice edits hers, then deletes it.
  pageA.once('dialog', (d) => d.accept('lunch at one?'));
  await pageA.click('#messages li.mine button:has-text("Edit")');
  await pageB.waitForFunction(() => [...document.querySelectorAll('#messages li.theirs')]
    .some((li) => li.textContent.includes('lunch at one?') && li.textContent.includes('edited')), null, { timeout: WAIT });
  pageA.once('dialog', (d) => d.accept());
  await pageA.click('#messages li.mine button:has-text("Delete")');
  await pageB.waitForFunction(() => document.querySelector('#messages li.theirs em')?.textContent
    .includes('This message was deleted'), null, { timeout: WAIT });
  await pageB.screenshot({ path: join(RESULTS, 'bob-after-edit-and-delete.png') });
});
