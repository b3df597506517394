import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { uuidParam } from '../../common/validation';
import { type Actor, CurrentActor } from '../auth/actor';
import { CreateUserDto, UpdateUserDto, UserView } from './dto/user.dto';
import { CreateUserUseCase } from './use-cases/create-user.use-case';
import { ListUsersUseCase } from './use-cases/list-users.use-case';
import { UpdateUserUseCase } from './use-cases/update-user.use-case';

@ApiTags('users')
@ApiBearerAuth()
@Controller('api/v1/users')
export class UsersController {
  constructor(
    private readonly createUser: CreateUserUseCase,
    private readonly updateUser: UpdateUserUseCase,
    private readonly listUsers: ListUsersUseCase,
  ) {}

  @Post()
  async create(@CurrentActor() actor: Actor, @Body() body: CreateUserDto): Promise<UserView> {
    return UserView.of(await this.createUser.execute({ ...body, actor }));
  }

  @Get()
  async list(@CurrentActor() actor: Actor): Promise<UserView[]> {
    return (await this.listUsers.execute({ actor })).map(UserView.of);
  }

  @Patch(':id')
  async update(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Body() body: UpdateUserDto): Promise<UserView> {
    return UserView.of(await this.updateUser.execute({ ...body, actor, userId: id }));
  }
}
