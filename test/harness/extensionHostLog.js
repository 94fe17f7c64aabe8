'use strict';
// What the extension hosts of a code-server from ./codeServer.js wrote to their logs (one
// remote extension host, and one log, per browser window: <user data>/logs/<time>/exthostN/).
// The host logs each activation: "ExtensionService#_doActivateExtension <id>, startup: ..., activationEvent: '...'".

const fs = require('fs');
const path = require('path');

const EXTENSION_ID = 'locator-batch.locator-batch';

function extensionHostLogs(server) {
  const found = [];
  const walk = (dir) => {
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/exthost\.log$/.test(e.name)) found.push(p);
    }
  };
  walk(path.join(server.dir, 'ud', 'logs'));
  return found;
}

/** The activation events the extension was activated by so far, one per activation (window). */
function activations(server, extensionId = EXTENSION_ID) {
  const esc = extensionId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`_doActivateExtension ${esc}, [^\\n]*activationEvent: '([^']*)'`, 'g');
  return extensionHostLogs(server).flatMap((f) => [...fs.readFileSync(f, 'utf8').matchAll(re)].map((m) => m[1]));
}

/** Resolves with the activation events once the extension has been activated `count` times in all; rejects after `timeout` ms. */
async function waitForActivations(server, { count = 1, timeout = 120_000, extensionId = EXTENSION_ID } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const events = activations(server, extensionId);
    if (events.length >= count) return events;
    if (Date.now() > deadline) throw new Error(`${extensionId} was activated ${events.length} time(s) within ${timeout} ms, not ${count}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

module.exports = { EXTENSION_ID, extensionHostLogs, activations, waitForActivations };
