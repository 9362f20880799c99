import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { Portal } from 'nestjs-portal';

@Controller()
class PingController {
  @Get('ping')
  ping(): { portal: string } {
    return { portal: typeof Portal };
  }
}

@Module({ controllers: [PingController] })
class PingModule {}

test('nest boots under jest ESM', async () => {
  const moduleRef = await Test.createTestingModule({ imports: [PingModule] }).compile();
  const app = moduleRef.createNestApplication();
  await app.init();
  await request(app.getHttpServer()).get('/ping').expect(200, { portal: 'function' });
  await app.close();
});
