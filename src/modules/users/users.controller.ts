import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-errors';
import { uuidParam } from '../../common/validation';
import { type Actor, CurrentActor } from '../auth/actor';
import { CreateUserDto, UpdateUserDto, UserView } from './dto/user.dto';
import { CreateUserUseCase } from './use-cases/create-user.use-case';
import { ListUsersUseCase } from './use-cases/list-users.use-case';
import { UpdateUserUseCase } from './use-cases/update-user.use-case';

@ApiTags('users')
@Controller('api/v1/users')
export class UsersController {
  constructor(
    private readonly createUser: CreateUserUseCase,
    private readonly updateUser: UpdateUserUseCase,
    private readonly listUsers: ListUsersUseCase,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a user of the account (administrators)' })
  @ApiCreatedResponse({ type: UserView })
  @ApiErrors({ FORBIDDEN: 'Needs the account administrator role (and a session login to create an administrator)', CONFLICT: 'email cannot be used for a new user (it is taken, maybe by another account)', RATE_LIMITED: 'more than USER_CREATE_MAX_PER_HOUR users tried in this account in the last hour' })
  async create(@CurrentActor() actor: Actor, @Body() body: CreateUserDto): Promise<UserView> {
    return UserView.of(await this.createUser.execute({ ...body, actor }));
  }

  @Get()
  @ApiOperation({ summary: "The account's users" })
  @ApiOkResponse({ type: [UserView] })
  async list(@CurrentActor() actor: Actor): Promise<UserView[]> {
    return (await this.listUsers.execute({ actor })).map(UserView.of);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename, disable, change the administrator role or the password of a user' })
  @ApiOkResponse({ type: UserView })
  @ApiErrors({ FORBIDDEN: 'Changing another user needs the administrator role; credentials and roles need a session login' })
  async update(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Body() body: UpdateUserDto): Promise<UserView> {
    return UserView.of(await this.updateUser.execute({ ...body, actor, userId: id }));
  }
}
