import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '../../../config/config';
import { findSentSurvey, type PublicSurvey, publicSurvey } from '../csat-public';

export interface GetCsatSurveyByTokenInput {
  /** The token of the rating link. */
  token: string;
}

/** What the public rating page shows: the question, the scale, the current answer and whether it can still change. */
@Injectable()
export class GetCsatSurveyByTokenUseCase {
  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute({ token }: GetCsatSurveyByTokenInput): Promise<PublicSurvey> {
    const survey = await findSentSurvey(this.em.fork(), token);
    return publicSurvey(survey, this.config.lifecycle.csatEditWindowDays);
  }
}
