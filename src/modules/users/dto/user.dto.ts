import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsNotEmpty, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import type { User } from '../user.entity';

export class CreateUserDto {
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @ApiProperty() @IsEmail() @MaxLength(320) email!: string;
  @ApiProperty({ minLength: 10 }) @IsString() @MinLength(10) @MaxLength(200) password!: string;
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() isAdmin?: boolean;
}

export class UpdateUserDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() isAdmin?: boolean;
  @ApiPropertyOptional({ description: 'false disables the user and ends their sessions' }) @IsOptional() @IsBoolean() active?: boolean;
  @ApiPropertyOptional({ minLength: 10, description: 'a new password: ends the user\'s other sessions and every API token (needs a session login)' })
  @IsOptional()
  @IsString()
  @MinLength(10)
  @MaxLength(200)
  password?: string;
  @ApiPropertyOptional({ description: 'required with `password` when changing your own (administrators resetting someone else do not give it)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  currentPassword?: string;
}

export class UserView {
  @ApiProperty() id!: string;
  @ApiProperty() accountId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ format: 'email' }) email!: string;
  @ApiProperty() isAdmin!: boolean;
  @ApiProperty() active!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;

  static of(u: User): UserView {
    return {
      id: u.id,
      accountId: u.account.id,
      name: u.name,
      email: u.email,
      isAdmin: u.isAdmin,
      active: !u.disabledAt,
      createdAt: u.createdAt.toISOString(),
    };
  }
}
