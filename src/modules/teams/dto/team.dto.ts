import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import type { User } from '../../users/user.entity';
import type { Team } from '../team.entity';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateTeamDto {
  @ApiProperty({ example: 'Billing', description: 'Unique within the account' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;
}

export class UpdateTeamDto {
  @ApiPropertyOptional({ example: 'Billing and refunds', description: 'Unique within the account' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;
}

export class TeamMemberView {
  @ApiProperty() userId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() email!: string;

  static of(u: User): TeamMemberView {
    return { userId: u.id, name: u.name, email: u.email };
  }
}

export class TeamView {
  @ApiProperty() id!: string;
  @ApiProperty() accountId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() memberCount!: number;
  @ApiProperty({ description: 'Whether the caller belongs to the team' }) isMember!: boolean;
  @ApiProperty() createdAt!: string;

  static of(t: Team, memberIds: readonly string[], callerId: string): TeamView {
    return {
      id: t.id,
      accountId: t.account.id,
      name: t.name,
      memberCount: memberIds.length,
      isMember: memberIds.includes(callerId),
      createdAt: t.createdAt.toISOString(),
    };
  }
}

export class TeamWithMembersView extends TeamView {
  @ApiProperty({ type: [TeamMemberView] }) members!: TeamMemberView[];
}
