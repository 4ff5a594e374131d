import { describe, expect, it } from 'vitest';
import { OFFLINE_ROOM_LIST, describeServerError } from '../../../src/lib/servers/server-problem';
import { SynapError } from '../../../src/lib/synap/rest';

const URL = 'http://synap.example:15500';
const unauthorized = new SynapError('unauthorized', 'Unauthorized', 401);
const unreachable = new SynapError('network', `Cannot reach ${URL}: Failed to fetch`);

describe('describeServerError', () => {
  it('says the server needs an API key when none was typed, instead of calling it refused', () => {
    const text = describeServerError(unauthorized, { url: URL, apiKey: '' });
    expect(text).toBe(`${URL} needs an API key (401 Unauthorized): enter it in the API key field.`);
    expect(text).not.toMatch(/refused|valid key/);
  });

  it('says a typed key was refused', () => {
    expect(describeServerError(unauthorized, { url: URL, apiKey: 'wrong' })).toBe(
      `${URL} refused the API key (401 Unauthorized): enter a valid key.`,
    );
  });

  it('blames the address for an unreachable server only while the browser has a network', () => {
    expect(describeServerError(unreachable, { url: URL, apiKey: '' })).toBe(
      `Cannot reach ${URL}: Failed to fetch. Check the address and that the server is running.`,
    );
    const offline = describeServerError(unreachable, { url: URL, apiKey: '' }, { online: false });
    expect(offline).toBe(`Offline: ${URL} cannot be reached until the network is back.`);
    expect(offline).not.toMatch(/address/);
    expect(OFFLINE_ROOM_LIST).toMatch(/^Offline/);
  });

  it('names a forbidden key, a server that is not Synap, and anything else as it is', () => {
    const server = { url: URL, apiKey: 'k' };
    expect(describeServerError(new SynapError('forbidden', 'no', 403), server)).toBe(
      `This API key is not allowed to do that on ${URL} (403 Forbidden).`,
    );
    expect(describeServerError(new SynapError('bad_request', 'Not Found', 404), server)).toBe(
      `${URL} answered 404: is this the address of a Synap server?`,
    );
    expect(describeServerError(new Error('boom'), server)).toBe('Unexpected problem: Error: boom');
  });
});
