import { ApiErrors } from '../../common/api-errors';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor } from '../auth/actor';
import { WhatIfDto, WhatIfView } from './dto/what-if.dto';
import { WhatIfUseCase } from './use-cases/what-if.use-case';

/** What-if: a draft rule set replayed over an inbox's recorded conversations before it is switched on. */
@ApiTags('automation')
@ApiErrors({ FORBIDDEN: 'Needs the manager role of the inbox', NOT_FOUND: 'The inbox or a rule named does not exist in your account' })
@Controller('api/v1/automation-rules')
export class WhatIfController {
  constructor(private readonly whatIf: WhatIfUseCase) {}

  @Post('what-if')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replay draft (or saved) rules over the recorded events of past conversations of an inbox (managers of the inbox, administrators); nothing changes',
    description:
      'Per rule: the conversations it would have hit, its firings and actions, side by side with what actually happened afterwards; plus a page of per-conversation results (nextCursor). The last N conversations or a period; at most AUTOMATION_WHAT_IF_MAX_CONVERSATIONS per request and AUTOMATION_WHAT_IF_TIME_BUDGET_SECONDS, else truncated: true with the reason.',
  })
  @ApiOkResponse({ type: WhatIfView })
  run(@CurrentActor() actor: Actor, @Body() body: WhatIfDto): Promise<WhatIfView> {
    return this.whatIf.execute({ ...body, actor });
  }
}
