import argon2 from 'argon2';
import bcrypt from 'bcrypt';

import { hashPassword } from './hash-password.js';

describe('hashPassword', () => {
  it('writes bcrypt by default, which bcrypt verifies', async () => {
    const hash = await hashPassword('wonderland', { bcryptCost: 4 });
    expect(hash).toMatch(/^\$2b\$04\$/);
    await expect(bcrypt.compare('wonderland', hash)).resolves.toBe(true);
    await expect(bcrypt.compare('wonderlanD', hash)).resolves.toBe(false);
  });

  it('uses cost 12 when none is given', async () => {
    expect(await hashPassword('x')).toMatch(/^\$2b\$12\$/);
  });

  it('hashes a string password as UTF-8', async () => {
    const hash = await hashPassword('pässwörd', { bcryptCost: 4 });
    await expect(bcrypt.compare(Buffer.from('pässwörd', 'utf8'), hash)).resolves.toBe(true);
    await expect(bcrypt.compare(Buffer.from('pässwörd', 'latin1'), hash)).resolves.toBe(false);
  });

  it('rejects bcrypt passwords over 72 bytes', async () => {
    await expect(hashPassword('a'.repeat(73), { bcryptCost: 4 })).rejects.toThrow(
      /only the first 72 bytes.*this one has 73/,
    );
    // 36 two-byte characters are 72 bytes and pass; 37 are 74 bytes and do not.
    await expect(hashPassword('ä'.repeat(36), { bcryptCost: 4 })).resolves.toMatch(/^\$2b\$/);
    await expect(hashPassword('ä'.repeat(37), { bcryptCost: 4 })).rejects.toThrow(RangeError);
  });

  it.each([3, 32, 10.5])('rejects bcrypt cost %p', async (bcryptCost) => {
    await expect(hashPassword('x', { bcryptCost })).rejects.toThrow(/bcryptCost must be/);
  });

  it('writes argon2id, which argon2 verifies', async () => {
    const hash = await hashPassword('a'.repeat(100), {
      algorithm: 'argon2id',
      argon2MemoryCost: 1024,
      argon2TimeCost: 1,
      argon2Parallelism: 1,
    });
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=1024,p=1,t=1\$/);
    await expect(argon2.verify(hash, 'a'.repeat(100))).resolves.toBe(true);
    await expect(argon2.verify(hash, 'a'.repeat(99))).resolves.toBe(false);
  });

  it('rejects an unknown algorithm', async () => {
    await expect(hashPassword('x', { algorithm: 'md5' as unknown as 'bcrypt' })).rejects.toThrow(
      /Unknown password hash algorithm "md5"/,
    );
  });
});
