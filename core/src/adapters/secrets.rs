//! The JWT signing secret: `JWT_SECRET` locally, the Secrets Manager secret `JWT_SECRET_ARN`
//! in AWS.
use crate::config;
use crate::domain::sensitive::Sensitive;
use crate::ports::{KeyError, SecretSource};
use async_trait::async_trait;

pub struct EnvSecretSource {
    aws: aws_config::SdkConfig,
}

impl EnvSecretSource {
    pub fn new(aws: aws_config::SdkConfig) -> Self {
        EnvSecretSource { aws }
    }
}

#[async_trait]
impl SecretSource for EnvSecretSource {
    async fn jwt_secret(&self) -> Result<Sensitive<String>, KeyError> {
        if let Some(secret) = config::optional("JWT_SECRET") {
            return Ok(Sensitive::new(secret));
        }
        let arn = config::optional("JWT_SECRET_ARN")
            .ok_or_else(|| KeyError::Config("JWT_SECRET or JWT_SECRET_ARN is required".into()))?;
        let out = aws_sdk_secretsmanager::Client::new(&self.aws)
            .get_secret_value()
            .secret_id(arn)
            .send()
            .await
            .map_err(|e| KeyError::Unavailable(format!("cannot read the JWT secret: {e}")))?;
        Ok(Sensitive::new(
            out.secret_string().unwrap_or_default().to_owned(),
        ))
    }
}
