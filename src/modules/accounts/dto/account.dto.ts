import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import type { Account } from '../account.entity';

export class CreateAccountDto {
  @ApiProperty({ example: 'Acme Support' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;
}

export class AccountView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() createdAt!: string;

  static of(a: Account): AccountView {
    return { id: a.id, name: a.name, createdAt: a.createdAt.toISOString() };
  }
}
