#!/usr/bin/env python3
"""Creates the local stack's AWS resources in the emulator: the DynamoDB table and one state machine
per infra/statemachines/*.asl.json. Idempotent: existing ones are left as they are (the table) or
updated (state machines, so an edited definition takes effect).

    resources.py --endpoint http://127.0.0.1:5000 [--table pai-local]

ASL files may use SAM's `${...}` definition substitutions: `${<Name>FunctionArn}` and `${<Name>Arn}`
become the ARN of the function `<name>` in kebab case (`${TurnCallModelFunctionArn}` →
`...:function:turn-call-model`), `${TableName}` the table name; any other placeholder is an error.
"""

import argparse
import re
import sys
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[2]
STATE_MACHINES_DIR = ROOT / "infra" / "statemachines"
REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's account
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/pai-local-state-machine"


def client(service, endpoint):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def create_table(endpoint, table_name):
    dynamodb = client("dynamodb", endpoint)
    if table_name in dynamodb.list_tables()["TableNames"]:
        return
    string = "S"
    dynamodb.create_table(
        TableName=table_name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": name, "AttributeType": string}
            for name in ("pk", "sk", "gsi1pk", "gsi1sk")
        ],
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsi1",
                "KeySchema": [
                    {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                    {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    dynamodb.update_time_to_live(
        TableName=table_name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"},
    )


def function_arn(name):
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


def state_machine_arn(name):
    return f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{name}"


def kebab(camel):
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", camel).lower()


def substitute(definition, table_name, source):
    def value(match):
        key = match.group(1)
        if key == "TableName":
            return table_name
        arn = re.fullmatch(r"([A-Za-z0-9]+?)(?:Function)?Arn", key)
        if arn:
            return function_arn(kebab(arn.group(1)))
        raise ValueError(f"{source}: no local value for the substitution ${{{key}}}")

    return re.sub(r"\$\{([A-Za-z0-9]+)\}", value, definition)


def create_state_machines(endpoint, table_name, directory=STATE_MACHINES_DIR):
    """Creates or updates one machine per *.asl.json (name = file name without .asl.json)."""
    sfn = client("stepfunctions", endpoint)
    existing = {m["name"]: m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]}
    created = []
    for path in sorted(directory.glob("*.asl.json")):
        name = path.name.removesuffix(".asl.json")
        definition = substitute(path.read_text(), table_name, path.name)
        if name in existing:
            sfn.update_state_machine(stateMachineArn=existing[name], definition=definition)
        else:
            # EXPRESS like the deployed chat turn; moto runs both types through StartExecution.
            sfn.create_state_machine(
                name=name, definition=definition, roleArn=ROLE_ARN, type="EXPRESS"
            )
        created.append(name)
    return created


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--table", default="pai-local")
    args = parser.parse_args()
    create_table(args.endpoint, args.table)
    machines = create_state_machines(args.endpoint, args.table)
    print(f"table {args.table}; state machines: {', '.join(machines) or 'none'}")


if __name__ == "__main__":
    sys.exit(main())
