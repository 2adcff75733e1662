import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { adoptionDecision } from './adoption.js';
import { KeyedSerial } from './keyed-serial.js';
import { LABEL } from './labels.js';

const container = (labels: Record<string, string>, state = 'running', id = 'c1'): Docker.ContainerInfo =>
  ({ Id: id, Image: 'img:1', State: state, Labels: labels }) as unknown as Docker.ContainerInfo;

const ok = {
  [LABEL.runtime]: 'box',
  [LABEL.kind]: 'ollama',
  [LABEL.port]: '4000',
  [LABEL.model]: 'm',
  [LABEL.spec]: 'abc',
};

describe('adoptionDecision', () => {
  it('adopts a running container with complete labels', () => {
    expect(adoptionDecision(container(ok), undefined)).toEqual({
      action: 'adopt',
      name: 'box',
      kind: 'ollama',
      model: 'm',
      image: 'img:1',
      port: 4000,
      hash: 'abc',
    });
    expect(adoptionDecision(container(ok, 'restarting'), undefined).action).toBe('adopt');
  });

  it('skips the container already tracked, removes a second one for the same runtime', () => {
    expect(adoptionDecision(container(ok), 'c1')).toEqual({ action: 'skip' });
    expect(adoptionDecision(container(ok, 'running', 'c2'), 'c1')).toMatchObject({
      action: 'remove',
      level: 'warn',
    });
  });

  it('removes containers with unusable labels, and stopped ones', () => {
    for (const bad of [
      { ...ok, [LABEL.kind]: 'other' },
      { ...ok, [LABEL.port]: 'x' },
      { ...ok, [LABEL.runtime]: '' },
    ]) {
      expect(adoptionDecision(container(bad), undefined)).toMatchObject({ action: 'remove', level: 'warn' });
    }
    expect(adoptionDecision(container(ok, 'exited'), undefined)).toEqual({
      action: 'remove',
      why: 'removed a stopped managed container',
      level: 'info',
    });
  });
});

describe('KeyedSerial', () => {
  it('runs one key in call order, even after a failure, and different keys concurrently', async () => {
    const serial = new KeyedSerial();
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const a1 = serial.run('a', async () => {
      await gate;
      order.push('a1');
      throw new Error('a1 failed');
    });
    const a2 = serial.run('a', async () => void order.push('a2'));
    const b1 = serial.run('b', async () => void order.push('b1'));
    await b1;
    expect(order).toEqual(['b1']);
    release();
    await expect(a1).rejects.toThrow('a1 failed');
    await a2;
    expect(order).toEqual(['b1', 'a1', 'a2']);
  });
});
