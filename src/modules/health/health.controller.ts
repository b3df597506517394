import { EntityManager } from '@mikro-orm/postgresql';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/actor';
import { Connection } from '@temporalio/client';
import type { Response } from 'express';
import { TEMPORAL_CONNECTION } from '../../temporal/temporal.module';

type PartStatus = { status: 'up' } | { status: 'down'; error: string };

const CHECK_TIMEOUT_MS = 2000;

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS)),
  ]);
}

async function check(fn: () => Promise<unknown>, what: string): Promise<PartStatus> {
  try {
    await withTimeout(fn(), what);
    return { status: 'up' };
  } catch (err) {
    return { status: 'down', error: (err as Error).message };
  }
}

class PartStatusView {
  @ApiProperty({ enum: ['up', 'down'] }) status!: 'up' | 'down';
  @ApiPropertyOptional({ description: 'Why it is down' }) error?: string;
}

class HealthView {
  @ApiProperty({ enum: ['ok', 'unavailable'] }) status!: 'ok' | 'unavailable';
  @ApiPropertyOptional({ example: 'unreachable: temporal', description: 'The unreachable parts (503 only)' }) message?: string;
  @ApiProperty({ type: PartStatusView }) database!: PartStatusView;
  @ApiProperty({ type: PartStatusView }) temporal!: PartStatusView;
}

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly em: EntityManager,
    @Inject(TEMPORAL_CONNECTION) private readonly temporal: Connection,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Database and Temporal reachability; 503 names the failing part' })
  @ApiOkResponse({ type: HealthView })
  @ApiServiceUnavailableResponse({ type: HealthView, description: 'PostgreSQL or Temporal did not answer within 2 s' })
  async health(@Res() res: Response): Promise<void> {
    const [database, temporal] = await Promise.all([
      check(() => this.em.fork().getConnection().execute('select 1'), 'PostgreSQL'),
      check(
        () => this.temporal.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () => this.temporal.workflowService.getSystemInfo({})),
        'Temporal',
      ),
    ]);
    const failing = Object.entries({ database, temporal }).filter(([, s]) => s.status === 'down').map(([k]) => k);
    res.status(failing.length ? 503 : 200).json({
      status: failing.length ? 'unavailable' : 'ok',
      ...(failing.length ? { message: `unreachable: ${failing.join(', ')}` } : {}),
      database,
      temporal,
    });
  }
}
