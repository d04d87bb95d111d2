# Terraform: an ECS task definition, a Kubernetes deployment and a function's environment.
resource "aws_ecs_task_definition" "worker" {
  family = "worker"
  container_definitions = jsonencode([{
    name  = "worker"
    image = "example/app:latest"
    environment = [
      { name = "CELERY_TASK_SERIALIZER", value = "json" },
      { name = "CELERY_ACCEPT_CONTENT", value = "json" },
    ]
  }])
}

resource "kubernetes_deployment" "worker" {
  spec {
    template {
      spec {
        container {
          name = "worker"
          env {
            name  = "CELERY_RESULT_SERIALIZER"
            value = "json"
          }
        }
      }
    }
  }
}

resource "aws_lambda_function" "kick" {
  function_name = "kick"
  environment {
    variables = {
      CELERY_CALL_SERIALIZER = "json"
      CELERY_ACCEPT_CONTENT  = "json"
      FORMAT                 = "pickle"
    }
  }
}
