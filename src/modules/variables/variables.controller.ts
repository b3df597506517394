import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor } from '../auth/actor';
import { VariableView } from './dto/variable.dto';
import { ListVariablesUseCase } from './use-cases/list-variables.use-case';

@ApiTags('variables')
@Controller('api/v1/variables')
export class VariablesController {
  constructor(private readonly listVariables: ListVariablesUseCase) {}

  @Get()
  @ApiOperation({ summary: 'The variables usable in texts ({{name}}), with the account defaults', description: 'Hidden contact attributes (visible: false) are listed to administrators only.' })
  @ApiOkResponse({ type: [VariableView] })
  async list(@CurrentActor() actor: Actor): Promise<VariableView[]> {
    return this.listVariables.execute({ actor });
  }
}
