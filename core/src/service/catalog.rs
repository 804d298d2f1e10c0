//! `GET /api/models/`, `/api/agents/`, `/api/tools/`: the catalog filtered by role and by the
//! providers this deployment has settings for.
use crate::domain::user::User;
use crate::service::views::{AgentView, ModelView, ToolView};
use crate::service::{App, ServiceError};
use serde::Serialize;

#[derive(Serialize)]
pub struct ModelList {
    pub models: Vec<ModelView>,
}

#[derive(Serialize)]
pub struct AgentList {
    pub agents: Vec<AgentView>,
}

#[derive(Serialize)]
pub struct ToolList {
    pub tools: Vec<ToolView>,
}

pub async fn list_models(app: &App, user: &User) -> Result<ModelList, ServiceError> {
    let catalog = app.store.load_catalog().await?;
    Ok(ModelList {
        models: catalog
            .models_for(user.role, &app.providers)
            .into_iter()
            .map(ModelView::from)
            .collect(),
    })
}

pub async fn list_agents(app: &App, user: &User) -> Result<AgentList, ServiceError> {
    let catalog = app.store.load_catalog().await?;
    let first_model = catalog
        .models_for(user.role, &app.providers)
        .first()
        .map(|m| m.id.clone());
    Ok(AgentList {
        agents: catalog
            .agents_for(user.role)
            .into_iter()
            .map(|a| AgentView::new(a, first_model.clone()))
            .collect(),
    })
}

pub async fn list_tools(app: &App, user: &User) -> Result<ToolList, ServiceError> {
    let catalog = app.store.load_catalog().await?;
    Ok(ToolList {
        tools: catalog
            .tools_for(user.role)
            .into_iter()
            .map(ToolView::from)
            .collect(),
    })
}

#[cfg(test)]
mod tests;
