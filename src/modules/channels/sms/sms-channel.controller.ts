import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../common/api-errors';
import { uuidParam } from '../../../common/validation';
import { type Actor, CurrentActor } from '../../auth/actor';
import { SetSmsChannelDto, SmsChannelView } from './dto/sms-channel.dto';
import { GetSmsChannelUseCase } from './use-cases/get-sms-channel.use-case';
import { SetSmsChannelUseCase } from './use-cases/set-sms-channel.use-case';

/** The Twilio settings of an SMS inbox: its managers and the administrators. */
@ApiTags('channels')
@ApiErrors({ FORBIDDEN: 'Needs the manager role in the inbox', UNPROCESSABLE: 'The inbox is not an SMS inbox' })
@Controller('api/v1/inboxes/:id/sms-channel')
export class SmsChannelController {
  constructor(
    private readonly getChannel: GetSmsChannelUseCase,
    private readonly setChannel: SetSmsChannelUseCase,
  ) {}

  @Get()
  @ApiOperation({ summary: "The SMS inbox's Twilio settings and the webhook URLs to configure in Twilio (never the auth token)" })
  @ApiOkResponse({ type: SmsChannelView })
  @ApiErrors({ NOT_FOUND: 'The inbox does not exist, or has no Twilio settings yet' })
  async get(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<SmsChannelView> {
    return this.getChannel.execute({ actor, inboxId: id });
  }

  @Put()
  @ApiOperation({
    summary: "Set the SMS inbox's Twilio settings",
    description: 'accountSid, authToken (write-only, encrypted with SECRETS_KEY; required the first time), fromNumber (E.164) and/or messagingServiceSid.',
  })
  @ApiOkResponse({ type: SmsChannelView })
  @ApiErrors({ UNPROCESSABLE: 'The inbox is not an SMS inbox, or SECRETS_KEY is not configured (the auth token cannot be stored)' })
  async put(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Body() body: SetSmsChannelDto): Promise<SmsChannelView> {
    return this.setChannel.execute({ ...body, actor, inboxId: id });
  }
}
