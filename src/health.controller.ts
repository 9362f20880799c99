import { Controller, Get } from '@nestjs/common';
import { SkipPortal } from 'nestjs-portal';

/** A health check that the app-wide PortalGuard leaves alone. */
@SkipPortal()
@Controller('health')
export class HealthController {
  @Get()
  health() {
    return { status: 'ok' };
  }
}
